import type { Redis } from 'ioredis';
import type { Logger } from './logger';

/**
 * The Redis pub/sub channel on which a subgraph says that answers it declared cacheable
 * (@cacheControl) may have changed; the message is the subgraph's name. Every gateway
 * instance listens and stops answering from what it kept of that subgraph's answers.
 */
export const publicChangesChannel = (keyPrefix: string) => `${keyPrefix}public-changed`;

/**
 * Announces a change of this subgraph's public data, after the write. With Redis away the
 * announcement is lost (logged): gateways keep serving what they kept until it is older than
 * its max-age, which is as stale as the subgraph's own hints allow clients to be anyway.
 */
export function publicChangeAnnouncer(events: Redis, keyPrefix: string, subgraph: string, logger: Logger): () => Promise<void> {
  const channel = publicChangesChannel(keyPrefix);
  return async () => {
    try {
      await events.publish(channel, subgraph);
    } catch (err) {
      logger.warn({ err: { message: (err as Error).message }, channel }, 'could not announce a change of public data: gateways serve what they kept until its max-age');
    }
  };
}
