import type { Redis } from 'ioredis';
import { appError, ErrorCode } from './errors';
import type { Logger } from './logger';

export interface RateLimitOptions {
  namespace: string;
  /** How many events a key may record per window before it is refused. */
  limit: number;
  windowSeconds: number;
}

/**
 * A fixed-window counter in Redis (INCR + EXPIRE in one round trip). When Redis is down the
 * limiter lets requests through (fail-open) and logs it: availability over throttling.
 */
export class RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    private readonly options: RateLimitOptions,
  ) {}

  private key(subject: string): string {
    return `${this.options.namespace}:${subject}`;
  }

  /** Throws RATE_LIMITED when the subject has used up its window. */
  async assertAllowed(subject: string): Promise<void> {
    try {
      const [count, ttl] = await this.redis.multi().get(this.key(subject)).ttl(this.key(subject)).exec().then((r) => r?.map(([, v]) => v) ?? []);
      if (Number(count ?? 0) >= this.options.limit) {
        const retryAfter = Math.max(1, Number(ttl));
        throw appError(ErrorCode.RATE_LIMITED, `Too many attempts: try again in ${retryAfter} seconds.`, { retryAfterSeconds: retryAfter });
      }
    } catch (error) {
      if ((error as { extensions?: { code?: string } }).extensions?.code === ErrorCode.RATE_LIMITED) throw error;
      this.logger.warn({ err: { message: (error as Error).message }, limiter: this.options.namespace }, 'rate limiter unavailable: allowing');
    }
  }

  async record(subject: string): Promise<void> {
    const key = this.key(subject);
    await this.redis
      .multi()
      .incr(key)
      .expire(key, this.options.windowSeconds, 'NX')
      .exec()
      .catch((err: Error) => this.logger.warn({ err: { message: err.message }, limiter: this.options.namespace }, 'rate limiter unavailable: not recorded'));
  }

  async reset(subject: string): Promise<void> {
    await this.redis.del(this.key(subject)).catch(() => undefined);
  }
}
