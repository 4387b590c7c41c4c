import { VersionedCache, type Logger, type RedisClient } from '@ott/kit';

/**
 * One cache scope for the whole catalogue: every ADMIN write bumps it, so no cached list or
 * record outlives a change. Writes are rare next to reads, so coarse invalidation costs little.
 */
export const CATALOG_SCOPE = 'catalog';

/** The catalogue cache of database-path reads, as the server and the import both address it. */
export function catalogCache(redis: RedisClient, logger: Logger, ttlSeconds: number): VersionedCache {
  return new VersionedCache(redis, logger, { namespace: 'cache', ttlSeconds });
}

/** The key prefix of catalog's own Redis connection (the cache lives under it). */
export const catalogKeyPrefix = (redisKeyPrefix: string) => `${redisKeyPrefix}catalog:`;
