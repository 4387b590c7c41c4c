import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createRedis, VersionedCache, connectRedis, type RedisClient } from '../src';
import { startPrivateRedis, uniqueTag } from '../src/testing';

const logger = createLogger('cache-test', 'silent');
let server: Awaited<ReturnType<typeof startPrivateRedis>>;
let redis: RedisClient;

beforeAll(async () => {
  server = await startPrivateRedis();
  redis = createRedis('cache-test', { url: server.url, keyPrefix: `${uniqueTag('cache')}:` }, logger);
  await connectRedis(redis);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

function counter<T>(value: () => T) {
  const calls = { count: 0 };
  const load = async () => {
    calls.count += 1;
    return value();
  };
  return { calls, load };
}

describe('VersionedCache', () => {
  it('serves the second read from Redis and reloads after the scope is bumped', async () => {
    const cache = new VersionedCache(redis, logger, { namespace: 'a', ttlSeconds: 60 });
    let current = 'first';
    const { calls, load } = counter(() => current);
    expect(await cache.getOrLoad('user1', 'page1', load)).toBe('first');
    expect(await cache.getOrLoad('user1', 'page1', load)).toBe('first');
    expect(calls.count).toBe(1);

    current = 'second';
    await cache.bump('user1');
    expect(await cache.getOrLoad('user1', 'page1', load)).toBe('second');
    expect(calls.count).toBe(2);
  });

  it('keeps scopes apart: bumping one leaves the other cached', async () => {
    const cache = new VersionedCache(redis, logger, { namespace: 'b', ttlSeconds: 60 });
    const { calls, load } = counter(() => 1);
    await cache.getOrLoad('x', 'k', load);
    await cache.getOrLoad('y', 'k', load);
    await cache.bump('x');
    await cache.getOrLoad('y', 'k', load);
    expect(calls.count).toBe(2);
  });

  it('lets concurrent misses for one key share a single load', async () => {
    const cache = new VersionedCache(redis, logger, { namespace: 'c', ttlSeconds: 60 });
    const { calls, load } = counter(() => 'v');
    const results = await Promise.all(Array.from({ length: 20 }, () => cache.getOrLoad('s', 'k', load)));
    expect(new Set(results)).toEqual(new Set(['v']));
    expect(calls.count).toBe(1);
  });

  it('never keeps a value loaded before a bump that raced it', async () => {
    const cache = new VersionedCache(redis, logger, { namespace: 'd', ttlSeconds: 60 });
    let release!: () => void;
    const slow = cache.getOrLoad('s', 'k', () => new Promise<string>((resolve) => (release = () => resolve('stale'))));
    await new Promise((r) => setTimeout(r, 20));
    await cache.bump('s');
    release();
    expect(await slow).toBe('stale');
    expect(await cache.getOrLoad('s', 'k', async () => 'fresh')).toBe('fresh');
  });

  it('reads many entries in one round trip and loads only the missing ones', async () => {
    const cache = new VersionedCache(redis, logger, { namespace: 'e', ttlSeconds: 60 });
    const loads: string[][] = [];
    const load = async (missing: string[]) => {
      loads.push(missing);
      return new Map(missing.map((id) => [id, id.toUpperCase()]));
    };
    await cache.getOrLoadMany('s', ['a', 'b'], load);
    const all = await cache.getOrLoadMany('s', ['a', 'b', 'c'], load);
    expect([...all.entries()].sort()).toEqual([
      ['a', 'A'],
      ['b', 'B'],
      ['c', 'C'],
    ]);
    expect(loads).toEqual([['a', 'b'], ['c']]);
  });

  it('answers from the loader while Redis is unreachable and ignores pre-outage entries once it is back', async () => {
    const client = createRedis('outage', { url: server.url, keyPrefix: `${uniqueTag('outage')}:` }, logger);
    await connectRedis(client);
    const cache = new VersionedCache(client, logger, { namespace: 'f', ttlSeconds: 60 });
    let current = 'before';
    const { calls, load } = counter(() => current);
    await cache.getOrLoad('s', 'k', load);

    // Redis keeps the 'before' entry, but this client cannot reach it: the bump is lost.
    const ended = new Promise((resolve) => client.once('end', resolve));
    client.disconnect();
    await ended;
    current = 'during';
    await cache.bump('s');
    expect(await cache.getOrLoad('s', 'k', load)).toBe('during');
    expect(cache.stats.failures).toBeGreaterThan(0);

    await client.connect();
    current = 'after';
    expect(await cache.getOrLoad('s', 'k', load)).toBe('after');
    expect(calls.count).toBe(3);
    client.disconnect();
  });
});
