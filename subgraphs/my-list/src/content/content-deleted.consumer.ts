import { contentDeleted } from '@ott/events';
import { decodingHandler, StreamConsumer, type StreamConsumerSettings, type EntityClient, type Logger, type RedisClient } from '@ott/kit';
import type { MyListService } from '../my-list/my-list.service';

/**
 * Follows catalog's content-deleted stream (consumer group "my-list"): forgets every cached
 * "this title exists" answer first, so adding the removed title is refused from now on, then
 * drops it from every member's list. Until this runs, saved items keep rendering from
 * catalog's tombstone (available: false). Residual race: an add whose lookup was answered from
 * the cache just before the bump, and whose insert lands just after the delete, keeps the
 * item (also rendered unavailable) until the member removes it.
 */
export function contentDeletedConsumer(
  redis: RedisClient,
  stream: string,
  settings: StreamConsumerSettings,
  services: { myList: Pick<MyListService, 'removeContent'>; catalog: Pick<EntityClient, 'invalidate'> },
  logger: Logger,
): StreamConsumer {
  return new StreamConsumer(
    redis,
    {
      stream,
      settings,
      group: 'my-list',
      unavailableMessage: 'content-deleted events unavailable: removed titles stay in lists (shown unavailable) until they arrive',
    },
    decodingHandler(contentDeleted, logger, async (removals) => {
      await services.catalog.invalidate();
      await services.myList.removeContent(removals.map((removal) => removal.contentId));
    }),
    logger,
  );
}
