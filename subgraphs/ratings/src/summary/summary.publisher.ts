import { StreamPublisher, type Logger, type RedisClient } from '@ott/kit';

/** Fields of one event on the rating-summaries stream (all strings, as Redis stores them). */
export interface RatingSummaryEvent {
  contentId: string;
  sum: number;
  count: number;
  /** Counts the title's changes: of two events of one title, the higher version is the newer. */
  version: number;
}

/**
 * Tells catalog each title's new sum and count through a Redis Stream, so its RATING_DESC
 * sort follows members' ratings. Values are absolute and versioned: replaying, re-publishing or
 * delivering out of order is harmless, so old events are trimmed. When Redis is down the event is lost (logged and counted);
 * `pnpm --filter @ott/ratings run repair` re-publishes every title's summary.
 */
export class RatingSummaryPublisher {
  private readonly stream: StreamPublisher;

  constructor(redis: RedisClient, stream: string, logger: Logger) {
    this.stream = new StreamPublisher(
      redis,
      { stream, lostMessage: 'could not publish a rating summary: catalog’s rating sort lags until the repair command runs' },
      logger,
    );
  }

  get failures(): number {
    return this.stream.failures;
  }

  async publish({ contentId, sum, count, version }: RatingSummaryEvent): Promise<void> {
    await this.stream.publish({ contentId, sum: String(sum), count: String(count), version: String(version) });
  }
}
