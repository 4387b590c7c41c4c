import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisClient } from '../src/redis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ChannelEventStream, ChannelFeed } from '../src/channel-feed';
import type { ChannelContract, StreamContract } from '../src/event-contract';
import { createLogger } from '../src/logger';
import { connectRedis, createRedis } from '../src/redis';
import { decodingHandler, StreamConsumer, StreamPublisher } from '../src/streams';
import { uniqueTag } from '../src/testing';

const removals: StreamContract<{ contentId: string }> = {
  name: 'test-removals',
  encode: ({ contentId }) => ({ contentId }),
  decode: ({ contentId }) => (contentId ? { event: { contentId } } : { problem: 'contentId is missing' }),
};

const ticks: ChannelContract<{ n: number }> = {
  name: 'test-ticks',
  encode: ({ n }) => String(n),
  decode: (message) => (/^\d+$/.test(message) ? { event: { n: Number(message) } } : { problem: 'not a number' }),
};

/** A logger that keeps its warnings for the test to read. */
function warningLogger() {
  const warnings: { msg: string; entryId?: string; channel?: string; problem?: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const line = JSON.parse(chunk.toString()) as { level: string; msg: string };
      if (line.level === 'warn') warnings.push(line);
      done();
    },
  });
  return { warnings, logger: createLogger('typed-events-test', 'info', sink) };
}

const clients: RedisClient[] = [];
function client(): RedisClient {
  const redis = createRedis('typed-events-test', { url: inject('redisUrl'), keyPrefix: '' }, createLogger('typed-events-test', 'silent'));
  clients.push(redis);
  return redis;
}
let admin: RedisClient;
beforeAll(async () => {
  admin = client();
  await connectRedis(admin);
});
afterAll(() => clients.forEach((redis) => redis.disconnect()));

describe('a stream read and written through a contract', () => {
  it('hands the consumer what the publisher encoded, and skips a malformed entry with a warning, acknowledged rather than retried', async () => {
    const stream = `t:${uniqueTag('typed')}:events`;
    const { warnings, logger } = warningLogger();
    const received: string[] = [];
    const consumer = new StreamConsumer(
      client(),
      {
        stream,
        group: 'test',
        settings: { name: uniqueTag('consumer'), claimIdleMs: 60_000, maxDeliveries: 10, deadConsumerMs: 0 },
        unavailableMessage: 'test stream unavailable',
        blockMs: 100,
      },
      decodingHandler(removals, logger, async (events) => void received.push(...events.map((event) => event.contentId))),
      logger,
    );
    try {
      consumer.start();
      // A writer that does not follow the contract (an older publisher, or a hand-typed XADD).
      const malformed = (await admin.xadd(stream, '*', 'title', 'no id here'))!;
      const publisher = new StreamPublisher(admin, removals, { stream, lostMessage: 'test event lost' }, logger);
      expect(await publisher.publish({ contentId: 'c1' })).toBe(true);

      const deadline = Date.now() + 10_000;
      while (received.length === 0 && Date.now() < deadline) await sleep(25);
      expect(received).toEqual(['c1']);
      expect(warnings).toEqual([expect.objectContaining({ msg: 'ignored a malformed event message', entryId: malformed, problem: 'contentId is missing' })]);
      const [pending] = (await admin.xpending(stream, 'test')) as [number];
      expect(pending).toBe(0);
    } finally {
      await consumer.stop();
    }
  });
});

describe('a channel read through a contract', () => {
  it('delivers the events it decodes and skips a malformed message with a warning, listening on', async () => {
    const channel = `t:${uniqueTag('ticks')}`;
    const { warnings, logger } = warningLogger();
    const subscriber = client();
    await connectRedis(subscriber);
    const feed = new ChannelFeed(subscriber, ticks, { only: channel }, logger);
    const stream = new ChannelEventStream(feed, feed.channels.only);
    try {
      await stream.ready();
      await admin.publish(channel, 'not a tick');
      await admin.publish(channel, ticks.encode({ n: 7 }));
      expect(await stream.next()).toEqual({ done: false, value: { n: 7 } });
      expect(warnings).toEqual([expect.objectContaining({ msg: 'ignored a malformed event message', channel, problem: 'not a number' })]);
    } finally {
      await stream.return();
    }
  });
});
