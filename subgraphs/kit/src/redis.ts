import { Cluster, Redis, type ClusterNode } from 'ioredis';
import type { Logger } from './logger';
import type { Resources } from './service';

/**
 * One Redis or a Redis Cluster (REDIS_CLUSTER_NODES): every use of Redis here works on both.
 * On a cluster, keys one command, transaction or script touches together share a hash tag
 * (docs/architecture.md, "How each store scales").
 */
export type RedisClient = Redis | Cluster;

/** Where Redis is: the same for every client of a service. */
export interface RedisConnection {
  url: string;
  /** Set: a cluster client seeded with these `host:port` nodes; `url` then gives only credentials and TLS (rediss://). */
  clusterNodes?: readonly string[];
  /** REDIS_COMMAND_TIMEOUT_MS: how long one command may wait for its reply before it fails. */
  commandTimeoutMs?: number;
}

export interface RedisOptions extends RedisConnection {
  /** Every key this service writes starts with it, e.g. "ott:users:". */
  keyPrefix: string;
  /**
   * A cluster client that subscribes with SSUBSCRIBE (the playback feed): it keeps a
   * subscriber connection per master, as each sharded channel lives on one. No effect on one Redis.
   */
  shardedPubSub?: boolean;
}

/** A service's Redis settings as its configuration holds them (redisEnv). */
export const redisConnection = (config: { REDIS_URL: string; REDIS_CLUSTER_NODES?: readonly string[]; REDIS_COMMAND_TIMEOUT_MS: number }): RedisConnection => ({
  url: config.REDIS_URL,
  clusterNodes: config.REDIS_CLUSTER_NODES,
  commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
});

export const isCluster = (redis: RedisClient): redis is Cluster => redis instanceof Cluster;

/**
 * A stalled Redis (a paused process, a full network buffer) keeps the connection open and never
 * answers: without a deadline every command, and every request behind it, would wait for as
 * long as the stall lasts. A few hundred milliseconds is far above a healthy round trip.
 */
export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 500;

/** After a command failed, how long Redis users answer without it before they try it again. */
export const REDIS_RETRY_AFTER_MS = 1_000;

const reconnectDelay = (attempt: number) => Math.min(attempt * 200, 2_000);

/**
 * Commands issued in the same turn of the event loop go out in one write and come back in one
 * read (ioredis's auto-pipelining): under load the gateway's per-request budget check and the
 * subgraphs' cache reads share round trips instead of paying a system call each (bench/RESULTS.md,
 * 2026-12-04: 8–30 % more home screens a second at 50 connections, no change at one). A
 * blocking read and sharded (un)subscribes are sent on their own, never behind a batch.
 */
const batching = { enableAutoPipelining: true, autoPipeliningIgnoredCommands: ['xreadgroup', 'ssubscribe', 'sunsubscribe'] };

/**
 * A labelled Redis client that fails fast: commands error instead of queueing while Redis is
 * unreachable, and time out when it stalls, so each use can fail open or closed at once (see
 * the table in docs/architecture.md) instead of waiting for Redis. A cluster client fails the
 * same way: no offline queue, and each node's connection has the command deadline.
 */
export function createRedis(label: string, options: RedisOptions, logger: Logger): RedisClient {
  const nodeOptions = {
    keyPrefix: options.keyPrefix,
    connectionName: `ott-${label}`,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 2_000,
  };
  const redis: RedisClient = options.clusterNodes
    ? new Cluster(options.clusterNodes.map(clusterNode), {
        ...batching,
        lazyConnect: true,
        enableOfflineQueue: false,
        clusterRetryStrategy: reconnectDelay,
        shardedSubscribers: options.shardedPubSub ?? false,
        redisOptions: { ...nodeOptions, ...credentials(options.url) },
      })
    : new Redis(options.url, { ...nodeOptions, lazyConnect: true, enableOfflineQueue: false, retryStrategy: reconnectDelay, ...batching });
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

/** `host:port`, the host maybe a bracketed IPv6 address (config.ts checked the form). */
function clusterNode(node: string): ClusterNode {
  const colon = node.lastIndexOf(':');
  return { host: node.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port: Number(node.slice(colon + 1)) };
}

/** What a cluster's nodes take from REDIS_URL: its user and password, and TLS for rediss://. */
function credentials(url: string): { username?: string; password?: string; tls?: object } {
  const parsed = new URL(url);
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * Gives every command of `redis` `extraMs` more before it times out (a connection that blocks
 * on purpose: XREADGROUP BLOCK). A cluster copies its node options into each node's connection
 * as it opens it: the settings and the connections open already both change.
 */
export function extendCommandTimeout(redis: RedisClient, extraMs: number): void {
  const options = isCluster(redis) ? redis.options.redisOptions : redis.options;
  if (options?.commandTimeout === undefined) return;
  options.commandTimeout += extraMs;
  if (isCluster(redis)) for (const node of redis.nodes()) node.options.commandTimeout = options.commandTimeout;
}

export async function connectRedis(redis: RedisClient): Promise<void> {
  await redis.connect();
  await redis.ping();
}

/**
 * A Redis client closed with the service. No use of Redis needs it to start (each fails open
 * or closed on its own: docs/architecture.md), so Redis being down at start is logged, not
 * fatal: the client keeps reconnecting in the background.
 */
export async function openRedis(resources: Resources, label: string, options: RedisOptions, logger: Logger): Promise<RedisClient> {
  const redis = resources.add(createRedis(label, options, logger), (client) => client.disconnect());
  await connectRedis(redis).catch((err: unknown) =>
    logger.warn({ err: { message: (err as Error).message }, redis: label }, 'redis unavailable at start: continuing without it'),
  );
  return redis;
}
