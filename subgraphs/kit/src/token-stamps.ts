import type { GraphQLError } from 'graphql';
import type { Credentials } from './auth';
import type { TokenConfig } from './token-keys';
import { unauthenticated } from './errors';
import { decodeOrWarn } from './event-contract';
import type { Logger } from './logger';
import { openRedis, REDIS_RETRY_AFTER_MS, redisConnection, type RedisClient } from './redis';
import type { Resources } from './service';
import { tokenStampChannel, tokenStampEvents } from './token-stamp-event';

/**
 * How long a process trusts the stamp it read for a member without asking Redis again. Changes
 * are pushed (pub/sub) and applied at once: this only bounds how late a change whose message
 * was lost (a reconnecting subscriber) is seen.
 */
const STAMP_CACHE_MS = 5_000;
const STAMPS_KEPT_MAX = 50_000;
const FAILURE_LOG_INTERVAL_MS = 30_000;

/** Where a member's stamp lives in Redis (ms since the epoch, as a string), under REDIS_KEY_PREFIX. */
export const tokenStampKey = (keyPrefix: string, memberId: string) => `${keyPrefix}auth:valid-after:${memberId}`;

interface Known {
  validAfter: number;
  /** Until then the value is used without asking Redis. */
  freshUntil: number;
}

/**
 * Each member's "valid after" stamp: access tokens issued before it are refused (users writes
 * one at logout and at a role change; docs/architecture.md). The gateway and every subgraph
 * hold one of these beside their token settings (`watchTokenStamps`).
 *
 * Reads are cached in process for a few seconds, and a new stamp is pushed to every process
 * over pub/sub, so a revoked token is refused everywhere at once. When Redis fails (down, or
 * stalled past the command timeout) the check fails open with the last stamp this process
 * knew: the token's signature still holds, it expires within ACCESS_TOKEN_TTL_SECONDS, and
 * refusing every signed-in member while Redis is away would turn a cache outage into an outage.
 */
export class TokenStamps {
  private readonly known = new Map<string, Known>();
  private readonly inflight = new Map<string, Promise<number>>();
  private readonly listeners = new Set<(memberId: string, validAfter: number) => void>();
  private retryAt = 0;
  private lastFailureLog = 0;
  /** Reads that failed open because Redis did not answer. */
  failures = 0;

  constructor(
    /** Commands, without a key prefix. */
    private readonly redis: RedisClient,
    private readonly keyPrefix: string,
    private readonly logger: Logger,
  ) {
    // Connected again: ask Redis at once (the pause is for a stalled Redis).
    redis.on('ready', () => (this.retryAt = 0));
  }

  /** Calls `listener` whenever a member's stamp moves forward here (pushed, published or read); answers how to stop. */
  onStamp(listener: (memberId: string, validAfter: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls `listener` each time the commands connection is ready again after a loss (Redis may have lost its data). */
  onReconnect(listener: () => void): void {
    this.redis.on('ready', listener);
  }

  /** Follows announced stamps on a connection of its own (it enters subscriber mode). */
  async listen(subscriber: RedisClient): Promise<void> {
    const channel = tokenStampChannel(this.keyPrefix);
    subscriber.on('message', (from: string, message: string) => {
      if (from !== channel) return;
      const stamp = decodeOrWarn(tokenStampEvents, message, this.logger, { channel });
      if (stamp) this.remember(stamp.memberId, stamp.validAfter);
    });
    const subscribe = () =>
      subscriber
        .subscribe(channel)
        .catch((err: Error) =>
          this.logger.warn({ err: { message: err.message }, channel }, 'not following token stamps: changes are seen when cached stamps expire'),
        );
    // After a reconnection, announcements made meanwhile were missed: read stamps afresh.
    subscriber.on('ready', () => {
      for (const entry of this.known.values()) entry.freshUntil = 0;
      void subscribe();
    });
    await subscribe();
  }

  /** UNAUTHENTICATED when the token was issued before its member's stamp; never rejects. */
  async check(credentials: Credentials): Promise<GraphQLError | undefined> {
    const validAfter = await this.validAfter(credentials.user.id);
    if (credentials.issuedAt >= validAfter) return undefined;
    return unauthenticated('The access token was revoked (signed out, or the account changed): sign in again.');
  }

  /** The member's stamp in ms since the epoch (0: none). */
  async validAfter(memberId: string): Promise<number> {
    const known = this.known.get(memberId);
    if (known && known.freshUntil > Date.now()) return known.validAfter;
    const pending = this.inflight.get(memberId);
    if (pending) return pending;
    const read = this.read(memberId, known).finally(() => this.inflight.delete(memberId));
    this.inflight.set(memberId, read);
    return read;
  }

  /**
   * Stores and announces a new stamp (the writer's own process applies it at once). Kept in
   * Redis as long as a token issued before it can live; rejects when Redis fails.
   */
  async publish(memberId: string, validAfter: number, ttlSeconds: number): Promise<void> {
    this.remember(memberId, validAfter);
    await this.redis.set(tokenStampKey(this.keyPrefix, memberId), String(validAfter), 'EX', ttlSeconds);
    await this.redis.publish(tokenStampChannel(this.keyPrefix), tokenStampEvents.encode({ memberId, validAfter }));
  }

  private async read(memberId: string, known: Known | undefined): Promise<number> {
    const fallback = known?.validAfter ?? 0;
    if (Date.now() < this.retryAt) return this.failOpen(fallback);
    try {
      const stored = Number((await this.redis.get(tokenStampKey(this.keyPrefix, memberId))) ?? 0) || 0;
      // A stamp this process saw pushed stays, even if Redis lost it.
      return this.remember(memberId, Math.max(stored, fallback));
    } catch (err) {
      this.retryAt = Date.now() + REDIS_RETRY_AFTER_MS;
      const now = Date.now();
      if (now - this.lastFailureLog > FAILURE_LOG_INTERVAL_MS) {
        this.lastFailureLog = now;
        this.logger.warn({ err: { message: (err as Error).message } }, 'token stamps unavailable: accepting tokens by signature and the stamps known here');
      }
      return this.failOpen(fallback);
    }
  }

  private failOpen(fallback: number): number {
    this.failures += 1;
    return fallback;
  }

  private remember(memberId: string, validAfter: number): number {
    if (this.known.size >= STAMPS_KEPT_MAX) this.known.clear();
    const previous = this.known.get(memberId)?.validAfter ?? 0;
    const stamp = Math.max(previous, validAfter);
    this.known.set(memberId, { validAfter: stamp, freshUntil: Date.now() + STAMP_CACHE_MS });
    if (stamp > previous) for (const listener of this.listeners) listener(memberId, stamp);
    return stamp;
  }
}

/**
 * Opens the stamps' connections (commands, and a subscriber) with the service and has every
 * token verified with `tokens` checked against them: the gateway and each subgraph call it once
 * at start-up, before their server is created.
 */
export async function watchTokenStamps(
  resources: Resources,
  config: Parameters<typeof redisConnection>[0] & { tokens: TokenConfig; REDIS_KEY_PREFIX: string },
  logger: Logger,
): Promise<TokenStamps> {
  // Classic pub/sub on a cluster too: every process must hear every stamp (sharded-pubsub.ts).
  const options = { ...redisConnection(config), keyPrefix: '' };
  const commands = await openRedis(resources, 'token-stamps', options, logger);
  const subscriber = await openRedis(resources, 'token-stamp-events', options, logger);
  const stamps = new TokenStamps(commands, config.REDIS_KEY_PREFIX, logger);
  await stamps.listen(subscriber);
  config.tokens.stamps = stamps;
  return stamps;
}
