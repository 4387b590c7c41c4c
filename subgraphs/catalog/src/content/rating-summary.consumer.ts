import { ratingSummaries, type RatingSummary } from '@ott/events';
import { decodingHandler, StreamConsumer, type StreamConsumerSettings, type Logger, type RedisClient } from '@ott/kit';
import type { ContentService } from './content.service';

/** A title's members' average as the ratings subgraph last published it (see RatingSummaryConsumer). */
export interface RatingSummaryChange {
  contentId: string;
  average: number | null;
  count: number;
  /** The title's change counter at ratings; null from publishers that predate it. */
  version: number | null;
}

/**
 * Under a steady flow of ratings, batches are gathered for this long: a title rated many times
 * a second costs catalog one write a second, not one per rating, and RATING_DESC lags members'
 * averages by about this much (the first change after a quiet spell is applied at once).
 */
export const RATING_SUMMARY_GATHER_MS = 1_000;

/**
 * Applies the ratings subgraph's per-title sums and counts (a Redis Stream, read with the
 * consumer group "catalog") to the rating catalog sorts by, so RATING_DESC follows members'
 * averages. Each entry carries absolute values and the title's version, so a redelivery, or two
 * entries of one title handled out of order by two catalog processes, is harmless.
 */
export function ratingSummaryConsumer(
  redis: RedisClient,
  stream: string,
  settings: StreamConsumerSettings,
  contents: Pick<ContentService, 'applyRatingSummaries'>,
  logger: Logger,
): StreamConsumer {
  return new StreamConsumer(
    redis,
    {
      stream,
      settings,
      group: 'catalog',
      unavailableMessage: 'rating summaries unavailable: RATING_DESC keeps the last applied ratings',
      batch: 1_000,
      gatherMs: RATING_SUMMARY_GATHER_MS,
    },
    decodingHandler(ratingSummaries, logger, (summaries) => contents.applyRatingSummaries(latestSummaries(summaries))),
    logger,
  );
}

/**
 * The newest summary per title wins (the highest version; of summaries without one, which older
 * ratings processes published, the last). Malformed entries never get here: decodingHandler
 * logs and skips them (acknowledged), so they are not retried forever.
 */
export function latestSummaries(summaries: readonly RatingSummary[]): RatingSummaryChange[] {
  const latest = new Map<string, RatingSummaryChange>();
  for (const { contentId, sum, count, version } of summaries) {
    const seen = latest.get(contentId);
    if (seen && version !== null && seen.version !== null && seen.version > version) continue;
    latest.set(contentId, { contentId, average: count > 0 ? sum / count : null, count, version });
  }
  return [...latest.values()];
}
