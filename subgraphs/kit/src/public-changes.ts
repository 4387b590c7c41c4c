/**
 * The Redis pub/sub channel on which a subgraph says that answers it declared cacheable
 * (@cacheControl) may have changed. Every gateway instance listens and stops answering from
 * what it kept of that subgraph's answers; a subgraph that versions its public data (catalog)
 * adds the new version, and its own processes follow the same event.
 */
export const publicChangesChannel = (keyPrefix: string) => `${keyPrefix}public-changed`;

/** One announcement on the channel: which subgraph's public data changed, and its version if it keeps one. */
export interface PublicChange {
  subgraph: string;
  version?: number;
}

/** The message: the subgraph's name, then a space and the version when there is one. */
export const encodePublicChange = ({ subgraph, version }: PublicChange): string => (version === undefined ? subgraph : `${subgraph} ${version}`);

export function decodePublicChange(message: string): PublicChange {
  const [subgraph = '', version] = message.split(' ');
  const number = Number(version);
  return version !== undefined && Number.isSafeInteger(number) ? { subgraph, version: number } : { subgraph };
}
