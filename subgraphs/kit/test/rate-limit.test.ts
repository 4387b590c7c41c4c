import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, consumeAll, createLogger, createRedis, RateLimits, type RedisClient } from '../src';
import { logCapture, startPrivateRedis, uniqueTag } from '../src/testing';

let server: Awaited<ReturnType<typeof startPrivateRedis>>;
let redis: RedisClient;
const logs = logCapture();
let limits: RateLimits;

beforeAll(async () => {
  server = await startPrivateRedis();
  const logger = createLogger('rate-limit-test', 'info', logs.destination);
  redis = createRedis('rate-limit-test', { url: server.url, keyPrefix: `${uniqueTag('rate')}:` }, createLogger('redis', 'silent'));
  await connectRedis(redis);
  limits = new RateLimits(redis, logger);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

let names = 0;
const limit = (points: number, windowSeconds = 60) => limits.define({ name: `limit${++names}`, points, windowSeconds });

async function spend(limiter: ReturnType<typeof limit>, subject: string, times: number) {
  for (let i = 0; i < times; i++) expect(await limiter.consume(subject)).toBeUndefined();
}

const outageWarnings = () => logs.messages('rate limits unavailable: counting in this process only');

describe('rate limits in Redis', () => {
  it('lets exactly the limit through when twenty events for one subject race', async () => {
    const limiter = limit(5);
    const waits = await Promise.all(Array.from({ length: 20 }, () => limiter.consume('racer')));
    expect(waits.filter((wait) => wait === undefined)).toHaveLength(5);
  });

  it('answers a whole number of seconds to wait, at least one and at most the window, once a subject is spent', async () => {
    const limiter = limit(2, 30);
    await spend(limiter, 'spent', 2);
    const wait = await limiter.consume('spent');
    expect(Number.isInteger(wait)).toBe(true);
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(30);
  });

  it('counts subjects apart, and gives events back on refund and reset', async () => {
    const limiter = limit(2);
    await spend(limiter, 'a', 2);
    expect(await limiter.consume('a')).toBeDefined();
    await spend(limiter, 'b', 2);

    await limiter.refund('b');
    await spend(limiter, 'b', 1);
    expect(await limiter.consume('b')).toBeDefined();

    await limiter.reset('a');
    await spend(limiter, 'a', 2);
  });

  it('gives back the events consumeAll recorded when a later limit refuses, so the refusal counts nowhere', async () => {
    const loose = limit(3);
    const strict = limit(1);
    expect(
      await consumeAll([
        [loose, 's'],
        [strict, 's'],
      ]),
    ).toBeUndefined();
    expect(
      await consumeAll([
        [loose, 's'],
        [strict, 's'],
      ]),
    ).toBeGreaterThanOrEqual(1);
    expect(
      await consumeAll([
        [loose, 's'],
        [strict, 's'],
      ]),
    ).toBeGreaterThanOrEqual(1);
    await spend(loose, 's', 2);
    expect(await loose.consume('s')).toBeDefined();
  });

  it('keeps subjects out of its keys: an email is stored only as a digest', async () => {
    const limiter = limit(5);
    await limiter.consume('member@example.test');
    const keys = await redis.keys(`${redis.options.keyPrefix}rate:${limiter.limit.name}:*`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toContain('member');
  });
});

describe('rate limits while Redis is down', () => {
  it('count in this process instead, warn once for every limit together, and return to Redis when it is back', async () => {
    const first = limit(3);
    const second = limit(3);
    await spend(first, 'x', 1);

    await server.stop();
    await spend(first, 'x', 3);
    expect(await first.consume('x')).toBeDefined();
    await spend(second, 'y', 3);
    await first.refund('x');
    await first.reset('x');
    expect(outageWarnings()).toHaveLength(1);
    expect(outageWarnings()[0]).toMatchObject({ level: 'warn' });

    server = await startPrivateRedis(server.port);
    await new Promise<void>((resolve) => (redis.status === 'ready' ? resolve() : redis.once('ready', () => resolve())));
    // The restarted Redis holds no counts: the next three events count there afresh.
    await spend(second, 'y', 3);
    expect(await second.consume('y')).toBeDefined();
    expect(await redis.keys(`${redis.options.keyPrefix}rate:${second.limit.name}:*`)).toHaveLength(1);
    expect(outageWarnings()).toHaveLength(1);
  });
});
