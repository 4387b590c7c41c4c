import mongoose, { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, createLogger, createRedis, ensureIndexes } from '@ott/kit';
import { clusterNodes, logCapture, startPrivateRedis, testEnv, uniqueTag } from '@ott/kit/testing';
import { PlayCounts, utcDay } from '../src/plays/play-counts';
import { createPlaybackSessionModel, type PlaybackSessionModel } from '../src/session/session.model';

const DAY_MS = 86_400_000;
const logger = createLogger('streaming-test', 'silent');

let redisServer: Awaited<ReturnType<typeof startPrivateRedis>>;
let mongo: mongoose.Connection;
let redis: ReturnType<typeof createRedis>;
let sessions: PlaybackSessionModel;
let plays: PlayCounts;

/** A stored start of a title, `daysAgo` days back, as startPlayback stores it. */
async function played(contentId: string, daysAgo: number, times = 1): Promise<void> {
  for (let i = 0; i < times; i++) {
    const at = new Date(Date.now() - daysAgo * DAY_MS - i);
    await sessions.create({
      userId: 'u1',
      contentId,
      state: 'ENDED',
      positionSeconds: 0,
      device: 'tv',
      quality: 'SD',
      startedAt: at,
      startedDay: utcDay(at),
      updatedAt: at,
      endedAt: at,
      endReason: 'STOPPED',
      version: 2,
      runtimeSeconds: null,
    });
  }
}

/** A start as the service makes it: stored, then counted. */
async function startNow(contentId: string): Promise<void> {
  await played(contentId, 0);
  await plays.record(contentId, new Date());
}

beforeAll(async () => {
  redisServer = await startPrivateRedis();
  const env = testEnv(uniqueTag('plays'));
  mongo = await mongoose.createConnection(env.MONGODB_URL!, { dbName: env.MONGODB_DB, autoIndex: false, autoCreate: false }).asPromise();
  sessions = createPlaybackSessionModel(mongo);
  await ensureIndexes([sessions]);
  redis = createRedis('plays', { url: redisServer.url, keyPrefix: 'plays-test:' }, logger);
  await connectRedis(redis);
  plays = new PlayCounts(redis, sessions, logger, { trendingTtlSeconds: 1 });
});
afterAll(async () => {
  redis?.disconnect();
  await mongo?.close();
  await redisServer?.stop();
});

describe('play counts', () => {
  const [a, b, c, old] = Array.from({ length: 4 }, () => new Types.ObjectId().toHexString());

  it('are rebuilt from the stored sessions on first use: all-time counts, and trending over the last 7 days only', async () => {
    await played(a!, 0, 2);
    await played(b!, 3, 3);
    await played(c!, 6, 1);
    await played(old!, 8, 5);
    expect(await plays.trending(10)).toEqual([b, a, c]);
    expect(await plays.playCounts([a!, b!, c!, old!, 'unknown'])).toEqual([2, 3, 1, 5, 0]);
    expect(await redis.exists('{plays}:since')).toBe(1);
  });

  it('count live starts once after the rebuild, and never the ones before it twice', async () => {
    await startNow(a!);
    await startNow(a!);
    expect(await plays.playCounts([a!])).toEqual([4]);
    await redis.del('{plays}:trending:' + utcDay(new Date()));
    expect(await plays.trending(10)).toEqual([a, b, c]);
    // A start stored before the last rebuild began was counted by it: recording it adds nothing.
    await plays.record(a!, new Date(Date.now() - 60_000));
    expect(await plays.playCounts([a!])).toEqual([4]);
  });

  it('let one process rebuild at a time; the others answer from the database meanwhile', async () => {
    await redis.del('{plays}:since', '{plays}:all');
    const results = await Promise.all(Array.from({ length: 5 }, () => plays.playCounts([a!, b!])));
    for (const result of results) expect(result).toEqual([4, 3]);
    expect(await redis.zscore('{plays}:all', a!)).toBe('4');
  });

  it('are answered from the database while Redis is down, and rebuilt once it is back', async () => {
    await redisServer.stop();
    expect(await plays.playCounts([a!, b!, old!])).toEqual([4, 3, 5]);
    expect(await plays.trending(2)).toEqual([a, b]);
    await plays.record(c!, new Date());
    redisServer = await startPrivateRedis(redisServer.port);
    for (let attempt = 0; attempt < 50 && redis.status !== 'ready'; attempt++) await new Promise((r) => setTimeout(r, 100));
    // The new Redis is empty: the first read rebuilds.
    expect(await plays.playCounts([a!, c!])).toEqual([4, 1]);
  });

  it('forget a removed title in trending and keep its all-time count', async () => {
    await plays.forget([a!]);
    expect(await plays.trending(10)).toEqual([b, c]);
    expect(await plays.playCounts([a!])).toEqual([4]);
  });
});

describe.skipIf(!clusterNodes())('play counts on a Redis Cluster', () => {
  it('count, rank and forget with every script and transaction in the {plays} slot', async () => {
    const [d, e] = Array.from({ length: 2 }, () => new Types.ObjectId().toHexString());
    const clusterLogs = logCapture();
    const clusterLogger = createLogger('streaming-test', 'info', clusterLogs.destination);
    const cluster = createRedis('plays-cluster', { url: redisServer.url, clusterNodes: clusterNodes(), keyPrefix: `${uniqueTag('plays')}:` }, clusterLogger);
    try {
      await connectRedis(cluster);
      const counts = new PlayCounts(cluster, sessions, clusterLogger, { trendingTtlSeconds: 1 });
      await played(d!, 1, 2);
      // The first read rebuilds (a transaction and pipelines), then the scripts count and rank.
      expect(await counts.playCounts([d!, e!])).toEqual([2, 0]);
      for (let i = 0; i < 3; i++) await counts.record(e!, new Date());
      expect(await counts.playCounts([d!, e!])).toEqual([2, 3]);
      expect((await counts.trending(100)).filter((id) => id === d || id === e)).toEqual([e, d]);
      await counts.forget([e!]);
      expect((await counts.trending(100)).filter((id) => id === d || id === e)).toEqual([d]);
      // Every step was answered by the cluster, none from the database.
      expect(clusterLogs.lines.filter((line) => line.level === 'warn')).toEqual([]);
    } finally {
      cluster.disconnect();
    }
  });
});
