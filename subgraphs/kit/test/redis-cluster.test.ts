import { Cluster } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ConfigError, loadConfig, redisEnv } from '../src/config';
import { createLogger } from '../src/logger';
import { ChannelFeed } from '../src/channel-feed';
import type { ChannelContract, StreamContract } from '../src/event-contract';
import { RateLimits } from '../src/rate-limit';
import { connectRedis, createRedis, isCluster, type RedisClient, type RedisOptions } from '../src/redis';
import { publishSharded } from '../src/sharded-pubsub';
import { StreamConsumer, StreamPublisher, type StreamEntry } from '../src/streams';
import { VersionedCache } from '../src/cache';
import { TokenStamps } from '../src/token-stamps';
import { logCapture, uniqueTag } from '../src/testing';

/** A session's change, as streaming announces playback (the kit knows no event by name: a test contract). */
type SessionChange = { sessionId: string; version: number };
const sessionChanges: ChannelContract<SessionChange> = {
  name: 'test-session-change',
  encode: (event) => JSON.stringify(event),
  decode: (message) => {
    const value = JSON.parse(message) as Partial<SessionChange>;
    return typeof value.sessionId === 'string' && typeof value.version === 'number'
      ? { event: { sessionId: value.sessionId, version: value.version } }
      : { problem: 'not a session change' };
  },
};
const sessionChannel = (prefix: string, id: string) => `${prefix}playback:session:${id}`;
const numbered: StreamContract<{ n: string }> = {
  name: 'test-numbered',
  encode: ({ n }) => ({ n }),
  decode: (fields) => (typeof fields.n === 'string' ? { event: { n: fields.n } } : { problem: 'no n' }),
};

// The kit's uses of Redis on a real Redis Cluster (3 masters, started by the global setup):
// every multi-key command, transaction and script must keep to one slot (CROSSSLOT otherwise),
// and pub/sub and streams must work across nodes.

const nodes = inject('redisClusterNodes');
const logs = logCapture();
const logger = createLogger('redis-cluster-test', 'info', logs.destination);
const clients: RedisClient[] = [];

async function cluster(label: string, options: Partial<RedisOptions> = {}): Promise<RedisClient> {
  const redis = createRedis(label, { url: 'redis://127.0.0.1:6379', clusterNodes: nodes.split(','), keyPrefix: '', ...options }, logger);
  clients.push(redis);
  await connectRedis(redis);
  return redis;
}

/** The master (host:port) that serves `key`'s slot. */
async function ownerOf(redis: RedisClient, key: string): Promise<string> {
  const slot = Number(await redis.call('CLUSTER', 'KEYSLOT', key));
  const ranges = (await redis.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
  const [, , [host, port]] = ranges.find(([from, to]) => slot >= from && slot <= to)!;
  return `${host}:${port}`;
}

const warnings = () => logs.lines.filter((line) => line.level === 'warn' || line.level === 'error');

afterAll(() => {
  for (const client of clients) client.disconnect();
});

describe.skipIf(!nodes)('REDIS_CLUSTER_NODES', () => {
  it('is read as a list of nodes; a malformed list, or a prefix with a hash tag, refuses to start', () => {
    expect(loadConfig(redisEnv, { REDIS_CLUSTER_NODES: 'redis-0.redis:6379, 10.0.0.2:7000,[::1]:7001' }).REDIS_CLUSTER_NODES).toEqual([
      'redis-0.redis:6379',
      '10.0.0.2:7000',
      '[::1]:7001',
    ]);
    expect(loadConfig(redisEnv, {}).REDIS_CLUSTER_NODES).toBeUndefined();
    for (const [value, message] of [
      ['redis-0', 'REDIS_CLUSTER_NODES: must be host:port[,host:port…]; not a node: "redis-0"'],
      ['a:6379,,b:6379', 'not a node: ""'],
      ['a:0', 'not a node: "a:0"'],
      ['a:70000', 'not a node: "a:70000"'],
      ['redis://a:6379', 'not a node: "redis://a:6379"'],
      ['a:6379,a:6379', 'REDIS_CLUSTER_NODES: names a node twice'],
    ]) {
      expect(() => loadConfig(redisEnv, { REDIS_CLUSTER_NODES: value })).toThrow(ConfigError);
      expect(() => loadConfig(redisEnv, { REDIS_CLUSTER_NODES: value })).toThrow(message);
    }
    expect(() => loadConfig(redisEnv, { REDIS_KEY_PREFIX: 'ott:{all}:' })).toThrow('REDIS_KEY_PREFIX: must not contain { or }');
  });

  it('gives the nodes the user, password and TLS of REDIS_URL, nothing else of it', () => {
    const secured = createRedis(
      'secured',
      { url: 'rediss://ott:p%40ss@ignored-host:1/3', clusterNodes: ['10.0.0.1:7000', '[::1]:7001'], keyPrefix: 'ott:' },
      logger,
    );
    const plain = createRedis('plain', { url: 'redis://127.0.0.1:6379', clusterNodes: ['10.0.0.1:7000'], keyPrefix: '' }, logger);
    clients.push(secured, plain);
    if (!isCluster(secured) || !isCluster(plain)) throw new Error('not cluster clients');
    expect(secured.options.redisOptions).toMatchObject({ username: 'ott', password: 'p@ss', tls: {}, keyPrefix: 'ott:', commandTimeout: 500 });
    expect(plain.options.redisOptions).not.toHaveProperty('password');
    expect(plain.options.redisOptions).not.toHaveProperty('tls');
    expect(secured.options.enableOfflineQueue).toBe(false);
  });

  it('makes every client a cluster client that fails fast', async () => {
    const redis = await cluster('kind');
    expect(isCluster(redis)).toBe(true);
    expect(redis).toBeInstanceOf(Cluster);
    const unreachable = createRedis(
      'unreachable',
      { url: 'redis://127.0.0.1:6379', clusterNodes: ['127.0.0.1:9'], keyPrefix: '' },
      createLogger('unreachable', 'silent'),
    );
    clients.push(unreachable);
    await expect(connectRedis(unreachable)).rejects.toThrow();
    const started = Date.now();
    // No offline queue: a command fails at once instead of waiting for the cluster.
    await expect(unreachable.get('anything')).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe.skipIf(!nodes)('the kit on a Redis Cluster', () => {
  it('caches per scope: each scope’s keys in one slot, scopes spread over the masters', async () => {
    const prefix = `${uniqueTag('cache')}:`;
    const redis = await cluster('cache', { keyPrefix: prefix });
    const cache = new VersionedCache(redis, logger, { namespace: 'mylist', ttlSeconds: 60 });
    const scopes = Array.from({ length: 12 }, (_, i) => `member-${i}`);
    let loads = 0;
    for (const scope of scopes) {
      const many = await cache.getOrLoadMany(scope, ['a', 'b', 'c'], async (missing) => new Map(missing.map((id) => [id, `${scope}/${id}`] as const)));
      expect([...many.values()]).toEqual([`${scope}/a`, `${scope}/b`, `${scope}/c`]);
      expect(await cache.getOrLoad(scope, 'single', async () => ++loads)).toBe(loads);
    }
    // Second reads are hits, from one MGET per scope.
    const before = cache.stats.hits;
    for (const scope of scopes) await cache.getOrLoadMany(scope, ['a', 'b', 'c'], async () => new Map());
    expect(cache.stats.hits - before).toBe(scopes.length * 3);
    // A bump invalidates its scope only.
    await cache.bump('member-0');
    expect(await cache.getOrLoad('member-0', 'single', async () => 'reloaded')).toBe('reloaded');
    expect(await cache.getOrLoad('member-1', 'single', async () => 'reloaded')).not.toBe('reloaded');
    expect(cache.stats.failures).toBe(0);
    const owners = new Set(await Promise.all(scopes.map((scope) => ownerOf(redis, `${prefix}mylist:ver:{${scope}}`))));
    expect(owners.size).toBeGreaterThan(1);
  });

  it('rate-limits in the cluster, one key per subject', async () => {
    const keyPrefix = `${uniqueTag('rate')}:`;
    const redis = await cluster('rate', { keyPrefix });
    const limiter = new RateLimits(redis, logger).define({ name: 'login', points: 2, windowSeconds: 60 });
    expect(await limiter.consume('someone@example.test')).toBeUndefined();
    expect(await limiter.consume('someone@example.test')).toBeUndefined();
    expect(await limiter.consume('someone@example.test')).toBeGreaterThanOrEqual(1);
    expect(await limiter.consume('someone-else@example.test')).toBeUndefined();
    // A second client (another process) sees the same counts.
    const other = new RateLimits(await cluster('rate-2', { keyPrefix }), logger);
    expect(await other.define({ name: 'login', points: 2, windowSeconds: 60 }).consume('someone@example.test')).toBeGreaterThanOrEqual(1);
    expect(logs.messages('rate limits unavailable: counting in this process only')).toEqual([]);
  });

  it('hands stream entries to a consumer group over a blocking read that outlasts the command timeout', async () => {
    const stream = `${uniqueTag('stream')}:events`;
    const publisher = new StreamPublisher(await cluster('stream-publisher'), numbered, { stream, lostMessage: 'lost' }, logger);
    // The consumer's own client: XREADGROUP blocks 1 s, twice the command timeout.
    const reader = await cluster('stream-consumer', { commandTimeoutMs: 500 });
    const handled: StreamEntry[] = [];
    const consumer = new StreamConsumer(
      reader,
      {
        stream,
        group: 'cluster-test',
        settings: { name: 'c1', claimIdleMs: 60_000, maxDeliveries: 3, deadConsumerMs: 0 },
        unavailableMessage: 'cluster stream unavailable',
        blockMs: 1_000,
        retryMs: 100,
      },
      async (entries) => void handled.push(...entries),
      logger,
    );
    consumer.start();
    try {
      await sleep(1_500);
      for (const n of ['1', '2', '3']) expect(await publisher.publish({ n })).toBe(true);
      for (let waited = 0; handled.length < 3 && waited < 10_000; waited += 25) await sleep(25);
      expect(handled.map((entry) => entry.fields.get('n'))).toEqual(['1', '2', '3']);
      expect(logs.messages('cluster stream unavailable')).toEqual([]);
    } finally {
      await consumer.stop();
    }
  });

  it('delivers playback events on sharded channels, whichever master a channel lives on', async () => {
    const prefix = `${uniqueTag('feed')}:`;
    const publisher = await cluster('feed-publisher');
    const feed = new ChannelFeed(
      await cluster('feed', { shardedPubSub: true }),
      sessionChanges,
      { session: (id: string) => sessionChannel(prefix, id) },
      logger,
    );
    const sessions = Array.from({ length: 9 }, (_, i) => `session-${i}`);
    expect(new Set(await Promise.all(sessions.map((id) => ownerOf(publisher, feed.channels.session(id))))).size).toBeGreaterThan(1);
    const received: SessionChange[] = [];
    const stops = await Promise.all(sessions.map((id) => feed.listen(feed.channels.session(id), (event) => received.push(event))));
    for (const [version, id] of sessions.entries()) {
      await publishSharded(publisher, feed.channels.session(id), sessionChanges.encode({ sessionId: id, version }));
    }
    for (let waited = 0; received.length < sessions.length && waited < 5_000; waited += 25) await sleep(25);
    expect(received.map((event) => event.sessionId).sort()).toEqual([...sessions].sort());
    await Promise.all(stops.map((stop) => stop()));
    expect(feed.channelCount).toBe(0);
  });

  it('pushes token stamps to every process over classic pub/sub', async () => {
    const prefix = `${uniqueTag('stamps')}:`;
    const writer = new TokenStamps(await cluster('stamps-writer'), prefix, logger);
    const reader = new TokenStamps(await cluster('stamps-reader'), prefix, logger);
    await reader.listen(await cluster('stamps-subscriber'));
    const pushed = new Promise<[string, number]>((resolve) => reader.onStamp((memberId, validAfter) => resolve([memberId, validAfter])));
    await writer.publish('member-1', 1_234, 60);
    expect(await pushed).toEqual(['member-1', 1_234]);
    expect(await reader.validAfter('member-1')).toBe(1_234);
  });

  it('logged no Redis failure', () => {
    expect(warnings()).toEqual([]);
  });
});
