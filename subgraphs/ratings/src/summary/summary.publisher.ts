import type { Redis } from 'ioredis';
import type { Logger } from '@ott/kit';

/** Fields of one event on the rating-summaries stream (all strings, as Redis stores them). */
export interface RatingSummaryEvent {
  contentId: string;
  sum: number;
  count: number;
}

/** Old events are trimmed; each event carries absolute values, so only the latest matters. */
const STREAM_MAX_LENGTH = 100_000;

/**
 * Tells catalog each title's new sum and count through a Redis Stream, so its RATING_DESC
 * sort follows members' ratings. Values are absolute: replaying or re-publishing is harmless.
 * When Redis is down the event is lost (logged and counted); `pnpm --filter @ott/ratings
 * run repair` re-publishes every title's summary.
 */
export class RatingSummaryPublisher {
  failures = 0;

  constructor(
    private readonly redis: Redis,
    private readonly stream: string,
    private readonly logger: Logger,
  ) {}

  async publish({ contentId, sum, count }: RatingSummaryEvent): Promise<void> {
    try {
      await this.redis.xadd(this.stream, 'MAXLEN', '~', STREAM_MAX_LENGTH, '*', 'contentId', contentId, 'sum', String(sum), 'count', String(count));
    } catch (err) {
      this.failures += 1;
      this.logger.warn({ err: { message: (err as Error).message }, contentId, failures: this.failures }, 'could not publish a rating summary: catalog’s rating sort lags until the repair command runs');
    }
  }
}
