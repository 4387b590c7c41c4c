import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, createLogger, createRedis, type RedisClient } from '../src';
import { startPrivateRedis, uniqueTag } from '../src/testing';

// Commands a service issues in the same turn of the event loop (the gateway's budget checks of
// concurrent requests, a page's cache reads) reach Redis in one write, not one each.

const logger = createLogger('redis-batching-test', 'silent');
let server: Awaited<ReturnType<typeof startPrivateRedis>>;
let redis: RedisClient;
let admin: RedisClient;

/** How many reads from its clients' sockets Redis has handled so far (INFO stats). */
async function readsByServer(): Promise<number> {
  const stats = await admin.info('stats');
  return Number(/total_reads_processed:(\d+)/.exec(stats)?.[1]);
}

beforeAll(async () => {
  server = await startPrivateRedis();
  redis = createRedis('batching-test', { url: server.url, keyPrefix: `${uniqueTag('batching')}:` }, logger);
  admin = createRedis('batching-admin', { url: server.url, keyPrefix: '' }, logger);
  await Promise.all([connectRedis(redis), connectRedis(admin)]);
});
afterAll(async () => {
  redis?.disconnect();
  admin?.disconnect();
  await server?.stop();
});

describe('a service’s Redis client', () => {
  it('sends the commands of one event-loop turn together: 50 reads cost Redis a few socket reads, not 50', async () => {
    await redis.set('title', 'Metropolis');
    const before = await readsByServer();
    const answers = await Promise.all(Array.from({ length: 50 }, () => redis.get('title')));
    const reads = (await readsByServer()) - before;
    expect(answers).toEqual(Array.from({ length: 50 }, () => 'Metropolis'));
    // One for the second INFO itself, one or two for the batch.
    expect(reads).toBeLessThanOrEqual(4);
  });
});
