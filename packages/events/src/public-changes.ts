import type { ChannelContract } from '@ott/kit';

/** Which subgraph's public data changed, and its version if it keeps one. */
export interface PublicChange {
  subgraph: string;
  version?: number;
}

/**
 * The pub/sub channel on which a subgraph says that answers it declared cacheable
 * (@cacheControl) may have changed. Every gateway instance listens and stops answering from
 * what it kept of that subgraph's answers; a subgraph that versions its public data (catalog)
 * adds the new version, and its own processes follow the same event.
 */
export const publicChangesChannel = (keyPrefix: string) => `${keyPrefix}public-changed`;

const SUBGRAPH_NAME = /^[a-z][a-z0-9-]*$/;

/** catalog → every gateway and catalog process. The message: the subgraph's name, then a space and the version when there is one. */
export const publicChanges: ChannelContract<PublicChange> = {
  name: 'public-changed',
  encode: ({ subgraph, version }) => (version === undefined ? subgraph : `${subgraph} ${version}`),
  decode(message) {
    const [subgraph = '', version, ...rest] = message.split(' ');
    if (!SUBGRAPH_NAME.test(subgraph) || rest.length > 0) return { problem: 'expected "<subgraph> [<version>]"' };
    if (version === undefined) return { event: { subgraph } };
    const number = Number(version);
    if (!/^\d+$/.test(version) || !Number.isSafeInteger(number)) return { problem: 'the version is not a whole number ≥ 0' };
    return { event: { subgraph, version: number } };
  },
};
