import type { Redis } from 'ioredis';
import type { Logger } from './logger';

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

/**
 * Announces a change of this subgraph's public data, after the write. With Redis away the
 * announcement is lost (logged): gateways keep serving what they kept until it is older than
 * its max-age, which is as stale as the subgraph's own hints allow clients to be anyway.
 */
export function publicChangeAnnouncer(events: Redis, keyPrefix: string, subgraph: string, logger: Logger): () => Promise<void> {
  const channel = publicChangesChannel(keyPrefix);
  return async () => {
    try {
      await events.publish(channel, encodePublicChange({ subgraph }));
    } catch (err) {
      logger.warn({ err: { message: (err as Error).message }, channel }, 'could not announce a change of public data: gateways serve what they kept until its max-age');
    }
  };
}
