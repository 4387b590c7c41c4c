import { ratingSummaries, type RatingSummary } from '@ott/events';
import { StreamPublisher, type Logger, type RedisClient } from '@ott/kit';

/** What ratings publishes: every summary it writes has a version. */
export type RatingSummaryEvent = RatingSummary & { version: number };

/**
 * Tells catalog each title's new sum and count through a Redis Stream, so its RATING_DESC
 * sort follows members' ratings. Values are absolute and versioned: replaying, re-publishing or
 * delivering out of order is harmless, so old events are trimmed. When Redis is down the event is lost (logged and counted);
 * `pnpm --filter @ott/ratings run repair` re-publishes every title's summary.
 */
export class RatingSummaryPublisher {
  private readonly stream: StreamPublisher<RatingSummary>;

  constructor(redis: RedisClient, stream: string, logger: Logger) {
    this.stream = new StreamPublisher(
      redis,
      ratingSummaries,
      { stream, lostMessage: 'could not publish a rating summary: catalog’s rating sort lags until the repair command runs' },
      logger,
    );
  }

  get failures(): number {
    return this.stream.failures;
  }

  async publish(summary: RatingSummaryEvent): Promise<void> {
    await this.stream.publish(summary);
  }
}
