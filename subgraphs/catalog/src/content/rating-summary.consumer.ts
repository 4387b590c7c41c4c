import type { Redis } from 'ioredis';
import { StreamConsumer, type StreamConsumerSettings, type Logger, type StreamEntry } from '@ott/kit';
import type { ContentService } from './content.service';

/**
 * Applies the ratings subgraph's per-title sums and counts (a Redis Stream, read with the
 * consumer group "catalog") to the rating catalog sorts by, so RATING_DESC follows members'
 * averages. Each entry carries absolute values, so a redelivery is harmless.
 */
export function ratingSummaryConsumer(redis: Redis, stream: string, settings: StreamConsumerSettings, contents: Pick<ContentService, 'applyRatingSummaries'>, logger: Logger): StreamConsumer {
  return new StreamConsumer(
    redis,
    { stream, settings, group: 'catalog', unavailableMessage: 'rating summaries unavailable: RATING_DESC keeps the last applied ratings' },
    (entries) => contents.applyRatingSummaries(latestSummaries(entries, logger)),
    logger,
  );
}

/** The latest entry per title wins; malformed ones are logged and skipped (acknowledged), never retried forever. */
function latestSummaries(entries: StreamEntry[], logger: Logger) {
  const latest = new Map<string, { contentId: string; average: number | null; count: number }>();
  for (const { id, fields } of entries) {
    const contentId = fields.get('contentId');
    const sum = Number(fields.get('sum'));
    const count = Number(fields.get('count'));
    if (!contentId || !Number.isInteger(sum) || !Number.isInteger(count) || count < 0) {
      logger.warn({ entryId: id }, 'skipped a malformed rating summary');
      continue;
    }
    latest.set(contentId, { contentId, average: count > 0 ? sum / count : null, count });
  }
  return [...latest.values()];
}
