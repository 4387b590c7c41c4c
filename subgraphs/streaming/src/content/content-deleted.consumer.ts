import { contentDeleted } from '@ott/events';
import { decodingHandler, StreamConsumer, type StreamConsumerSettings, type Logger, type RedisClient } from '@ott/kit';
import type { PlayCounts } from '../plays/play-counts';
import type { PlaybackService } from '../session/session.service';
import type { CatalogTitles } from './catalog-titles';

/**
 * Follows catalog's content-deleted stream (consumer group "streaming"): forgets every cached
 * title first, so starting the removed title is CONTENT_NOT_FOUND from now on, drops it from
 * trending, then ends its active sessions (CONTENT_REMOVED), freeing their streams.
 */
export function contentDeletedConsumer(
  redis: RedisClient,
  stream: string,
  settings: StreamConsumerSettings,
  services: { titles: Pick<CatalogTitles, 'invalidate'>; plays: Pick<PlayCounts, 'forget'>; playback: Pick<PlaybackService, 'endForContent'> },
  logger: Logger,
): StreamConsumer {
  return new StreamConsumer(
    redis,
    { stream, settings, group: 'streaming', unavailableMessage: 'content-deleted events unavailable: sessions of removed titles play on until they arrive' },
    decodingHandler(contentDeleted, logger, async (removals) => {
      const contentIds = removals.map((removal) => removal.contentId);
      await services.titles.invalidate();
      await services.plays.forget(contentIds);
      await services.playback.endForContent(contentIds);
    }),
    logger,
  );
}
