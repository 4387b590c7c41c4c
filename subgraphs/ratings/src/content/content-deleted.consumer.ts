import { contentDeleted } from '@ott/events';
import { decodingHandler, StreamConsumer, type StreamConsumerSettings, type EntityClient, type Logger, type RedisClient } from '@ott/kit';

/**
 * Follows catalog's content-deleted stream (consumer group "ratings") only to forget every
 * cached "this title exists" answer, so rating a removed title is refused at once rather than
 * after CONTENT_CACHE_TTL_SECONDS. Ratings of removed titles are kept (see README).
 */
export function contentDeletedConsumer(
  redis: RedisClient,
  stream: string,
  settings: StreamConsumerSettings,
  catalog: Pick<EntityClient, 'invalidate'>,
  logger: Logger,
): StreamConsumer {
  return new StreamConsumer(
    redis,
    {
      stream,
      settings,
      group: 'ratings',
      unavailableMessage: 'content-deleted events unavailable: a removed title can be rated until its cached entry expires',
    },
    decodingHandler(contentDeleted, logger, () => catalog.invalidate()),
    logger,
  );
}
