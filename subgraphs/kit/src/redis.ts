import { Redis } from 'ioredis';
import type { Logger } from './logger';
import type { Resources } from './service';

export interface RedisOptions {
  url: string;
  /** Every key this service writes starts with it, e.g. "ott:users:". */
  keyPrefix: string;
  /** REDIS_COMMAND_TIMEOUT_MS: how long one command may wait for its reply before it fails. */
  commandTimeoutMs?: number;
}

/**
 * A stalled Redis (a paused process, a full network buffer) keeps the connection open and never
 * answers: without a deadline every command, and every request behind it, would wait for as
 * long as the stall lasts. A few hundred milliseconds is far above a healthy round trip.
 */
export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 500;

/** After a command failed, how long Redis users answer without it before they try it again. */
export const REDIS_RETRY_AFTER_MS = 1_000;

/**
 * A labelled Redis client that fails fast: commands error instead of queueing while Redis is
 * unreachable, and time out when it stalls, so each use can fail open or closed at once (see
 * the table in docs/architecture.md) instead of waiting for Redis.
 */
export function createRedis(label: string, options: RedisOptions, logger: Logger): Redis {
  const redis = new Redis(options.url, {
    keyPrefix: options.keyPrefix,
    connectionName: `ott-${label}`,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  let lastErrorLog = 0;
  redis.on('error', (err: Error) => {
    const now = Date.now();
    if (now - lastErrorLog > 30_000) {
      lastErrorLog = now;
      logger.warn({ err: { message: err.message }, redis: label }, 'redis unavailable');
    }
  });
  return redis;
}

export async function connectRedis(redis: Redis): Promise<void> {
  await redis.connect();
  await redis.ping();
}

/**
 * A Redis client closed with the service. No use of Redis needs it to start (each fails open
 * or closed on its own: docs/architecture.md), so Redis being down at start is logged, not
 * fatal: the client keeps reconnecting in the background.
 */
export async function openRedis(resources: Resources, label: string, options: RedisOptions, logger: Logger): Promise<Redis> {
  const redis = resources.add(createRedis(label, options, logger), (client) => client.disconnect());
  await connectRedis(redis).catch((err: unknown) =>
    logger.warn({ err: { message: (err as Error).message }, redis: label }, 'redis unavailable at start: continuing without it'),
  );
  return redis;
}
