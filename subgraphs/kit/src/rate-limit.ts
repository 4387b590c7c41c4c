import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from './logger';
import { REDIS_RETRY_AFTER_MS, type RedisClient } from './redis';

export interface RateLimit {
  /** Names the limit in Redis keys and logs, e.g. "login-ip". */
  name: string;
  /** Events one subject may record per window; the next one is refused. */
  points: number;
  windowSeconds: number;
}

const OUTAGE_LOG_INTERVAL_MS = 30_000;

/** Subjects are emails and addresses: neither Redis nor the logs need them in clear. */
const digest = (subject: string) => createHash('sha256').update(subject).digest('base64url').slice(0, 22);

/**
 * The rate limits of one service, sharing its Redis client and one outage warning: however
 * many limits fail over together, the log says so once per interval.
 */
export class RateLimits {
  private lastOutageLog = 0;
  /** After a failure, Redis is left alone until then: the limits count in memory meanwhile. */
  private retryAt = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly logger: Logger,
  ) {
    // Connected again: back to the shared counts at once (the pause is for a stalled Redis).
    redis.on('ready', () => (this.retryAt = 0));
  }

  define(limit: RateLimit): RateLimiter {
    return new RateLimiter(this.redis, limit, this.logger, {
      redisAvailable: () => Date.now() >= this.retryAt,
      failed: (error) => this.outage(limit, error),
    });
  }

  private outage(limit: RateLimit, error: unknown): void {
    const now = Date.now();
    this.retryAt = now + REDIS_RETRY_AFTER_MS;
    if (now - this.lastOutageLog < OUTAGE_LOG_INTERVAL_MS) return;
    this.lastOutageLog = now;
    const message = error instanceof Error ? error.message : String(error);
    this.logger.warn({ limiter: limit.name, err: { message } }, 'rate limits unavailable: counting in this process only');
  }
}

/** Shared by a service's limiters: whether to try Redis now, and what to do when it failed. */
interface OutageTracker {
  redisAvailable(): boolean;
  failed(error: unknown): void;
}

/**
 * A fixed-window counter in Redis (rate-limiter-flexible: one Lua script increments and reads
 * the window, so racing requests can never both take the last point).
 *
 * When Redis fails (refuses, or stalls past the command timeout) the limiter fails open, but
 * not wide open: it counts in this process's memory until Redis answers again (tried again
 * REDIS_RETRY_AFTER_MS after each failure, so a stall costs one timeout per second). An outage
 * thus multiplies the limit by the number of instances instead of lifting it (an unlimited password-guessing window). This is the
 * library's insuranceLimiter idea, done here because the library falls back silently and an
 * outage must be logged.
 */
export class RateLimiter {
  private readonly shared: RateLimiterRedis;
  private readonly local: RateLimiterMemory;

  constructor(
    redis: RedisClient,
    readonly limit: RateLimit,
    private readonly logger: Logger,
    private readonly outage: OutageTracker,
  ) {
    const options = { keyPrefix: `rate:${limit.name}`, points: limit.points, duration: limit.windowSeconds };
    // Not ready means failing over at once rather than waiting for a reconnect.
    this.shared = new RateLimiterRedis({ ...options, storeClient: redis, rejectIfRedisNotReady: true });
    this.local = new RateLimiterMemory(options);
  }

  /** Records one event; when the subject had none left, answers how many seconds to wait (≥ 1). */
  async consume(subject: string): Promise<number | undefined> {
    const key = digest(subject);
    try {
      await this.withInsurance((limiter) => limiter.consume(key));
      return undefined;
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      if (refusal.consumedPoints === this.limit.points + 1) {
        this.logger.info({ limiter: this.limit.name, subject: key }, 'rate limit reached');
      }
      return Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
    }
  }

  /** Gives back an event that turned out not to count (a refused attempt, a successful login). */
  async refund(subject: string): Promise<void> {
    await this.withInsurance((limiter) => limiter.reward(digest(subject)));
  }

  async reset(subject: string): Promise<void> {
    await this.withInsurance((limiter) => limiter.delete(digest(subject)));
  }

  private async withInsurance<T>(operation: (limiter: RateLimiterAbstract) => Promise<T>): Promise<T> {
    if (!this.outage.redisAvailable()) return operation(this.local);
    try {
      return await operation(this.shared);
    } catch (error) {
      if (error instanceof RateLimiterRes) throw error;
      this.outage.failed(error);
      return operation(this.local);
    }
  }
}

export type Charge = readonly [limiter: RateLimiter, subject: string];

/**
 * Records one event on each limiter in turn. When one refuses, the events already recorded are
 * given back, so a refused attempt counts against no other limit (one client locked out of an
 * account by its own pair limit cannot use up the account's limit for everyone else).
 * Answers the seconds to wait when refused.
 */
export async function consumeAll(charges: readonly Charge[]): Promise<number | undefined> {
  const recorded: Charge[] = [];
  for (const charge of charges) {
    const wait = await charge[0].consume(charge[1]);
    if (wait !== undefined) {
      await Promise.all(recorded.map(([limiter, subject]) => limiter.refund(subject)));
      return wait;
    }
    recorded.push(charge);
  }
  return undefined;
}
