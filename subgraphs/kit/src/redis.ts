import { Redis } from 'ioredis';
import type { Logger } from './logger';
import type { Resources } from './service';

export interface RedisOptions {
  url: string;
  /** Every key this service writes starts with it, e.g. "ott:users:". */
  keyPrefix: string;
}

/**
 * A labelled Redis client that fails fast: commands error instead of queueing while Redis is
 * unreachable, so caches can fall back to the database at once (fail-open).
 */
export function createRedis(label: string, options: RedisOptions, logger: Logger): Redis {
  const redis = new Redis(options.url, {
    keyPrefix: options.keyPrefix,
    connectionName: `ott-${label}`,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
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
 * A Redis client closed with the service. Every use of Redis fails open (caches answer from
 * the database, limiters let requests through), so Redis being down at start is logged, not
 * fatal: the client keeps reconnecting in the background.
 */
export async function openRedis(resources: Resources, label: string, options: RedisOptions, logger: Logger): Promise<Redis> {
  const redis = resources.add(createRedis(label, options, logger), (client) => client.disconnect());
  await connectRedis(redis).catch((err: unknown) =>
    logger.warn({ err: { message: (err as Error).message }, redis: label }, 'redis unavailable at start: continuing without it'),
  );
  return redis;
}
