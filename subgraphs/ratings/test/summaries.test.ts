import { GraphQLError } from 'graphql';
import { Types, type Connection } from 'mongoose';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMongo, connectRedis, createLogger, createRedis, ensureIndexes } from '@ott/kit';
import { testEnv, uniqueTag } from '@ott/kit/testing';
import { ratingsConfig } from '../src/config';
import { createServices } from '../src/server';
import { ContentLocks } from '../src/summary/content-locks';
import { averageOf } from '../src/summary/summary.model';

const logger = createLogger('ratings-summaries-test', 'silent');
const config = ratingsConfig(testEnv(uniqueTag('ratings_summaries')));
let mongo: Connection;
let events: Redis;
let services: ReturnType<typeof createServices>;

beforeAll(async () => {
  mongo = await connectMongo(config.MONGODB_URL, config.MONGODB_DB, logger);
  events = createRedis('test-events', { url: config.REDIS_URL, keyPrefix: '' }, logger);
  await connectRedis(events);
  services = createServices({ config, mongo, events, logger });
  await ensureIndexes([services.models.ratings, services.models.summaries, services.models.locks]);
});
afterAll(async () => {
  events?.disconnect();
  await mongo?.close();
});

async function storeRatings(contentId: string, scores: number[]) {
  const now = new Date();
  await services.models.ratings.insertMany(
    scores.map((score) => ({ userId: new Types.ObjectId().toHexString(), contentId, score, review: null, createdAt: now, updatedAt: now })),
  );
}

async function lastEvent(contentId: string) {
  const entries = await events.xrange(config.ratingEventsStream, '-', '+');
  const fields = entries.map(([, values]) => Object.fromEntries(values.reduce<[string, string][]>((pairs, v, i, all) => (i % 2 ? pairs : [...pairs, [v, all[i + 1]!]]), [])));
  return fields.filter((f) => f.contentId === contentId).at(-1);
}

describe('rating summaries', () => {
  it('rounds the average to one decimal without binary rounding errors, and has none without ratings', () => {
    expect(averageOf({ sum: 163, count: 20 })).toBe(8.2);
    expect(averageOf({ sum: 25, count: 3 })).toBe(8.3);
    expect(averageOf({ sum: 0, count: 0 })).toBeNull();
    expect(averageOf(null)).toBeNull();
  });

  it('keeps counters exact when many increments of one title race, because the title’s lease serialises them', async () => {
    const contentId = 'race-title';
    await Promise.all(Array.from({ length: 40 }, (_, i) => services.locks.run(contentId, () => services.summaries.apply(contentId, (i % 10) + 1, 1))));
    const [summary] = await services.summaries.findByContentIds([contentId]);
    expect(summary).toMatchObject({ sum: 4 * 55, count: 40 });
    expect(await lastEvent(contentId)).toEqual({ contentId, sum: '220', count: '40' });
  });

  it('keeps counters exact when two processes race on one title, because the lease in the database serialises them', async () => {
    const contentId = 'two-process-title';
    // A second set of services has its own in-memory queue, as another process would.
    const other = createServices({ config, mongo, events, logger });
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => {
        const process = i % 2 === 0 ? services : other;
        return process.locks.run(contentId, () => process.summaries.apply(contentId, 2, 1));
      }),
    );
    const [summary] = await services.summaries.findByContentIds([contentId]);
    expect(summary).toMatchObject({ sum: 60, count: 30 });
  });

  it('recomputes a title whose writer died holding its lease, before the next change is applied', async () => {
    const contentId = 'crashed-title';
    await storeRatings(contentId, [6, 8]);
    // The writer stored the second rating, then died before its $inc, leaving its lease.
    await services.models.summaries.create({ _id: contentId, sum: 6, count: 1 });
    await services.models.locks.create({ _id: contentId, owner: 'dead-process', expiresAt: new Date(Date.now() - 1_000) });
    expect(await services.locks.abandoned()).toEqual([contentId]);

    await services.locks.run(contentId, async () => {
      await storeRatings(contentId, [4]);
      await services.summaries.apply(contentId, 4, 1);
    });

    const [summary] = await services.summaries.findByContentIds([contentId]);
    expect(summary).toMatchObject({ sum: 18, count: 3 });
    expect(await services.locks.abandoned()).toEqual([]);
    expect(await services.models.locks.countDocuments({ _id: contentId })).toBe(0);
  });

  it('refuses a change with RATE_LIMITED and when to retry, once the title’s lease stays held past the wait', async () => {
    const contentId = 'busy-title';
    const impatient = new ContentLocks(services.models.locks, logger, { leaseMs: 10_000, waitMs: 150 }, async () => {});
    await services.models.locks.create({ _id: contentId, owner: 'busy-process', expiresAt: new Date(Date.now() + 60_000) });
    let applied = false;

    const refusal = await impatient.run(contentId, async () => (applied = true)).catch((error: unknown) => error);

    expect(refusal).toBeInstanceOf(GraphQLError);
    expect((refusal as GraphQLError).extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 1 });
    expect(applied).toBe(false);
    expect(await services.models.locks.findById(contentId).lean()).toMatchObject({ owner: 'busy-process' });
    await services.models.locks.deleteOne({ _id: contentId });
  });

  it('repairs every drifted title from its ratings and re-publishes all summaries', async () => {
    await storeRatings('drifted', [1, 2, 3]);
    await services.models.summaries.create({ _id: 'drifted', sum: 100, count: 9 });
    await services.models.summaries.create({ _id: 'orphaned', sum: 7, count: 1 });

    const report = await services.summaries.repairAll(services.locks);

    // race-title and two-process-title had sums but no ratings of their own, so they are corrected too.
    expect(report.corrected).toBe(4);
    const found = await services.summaries.findByContentIds(['drifted', 'orphaned', 'race-title']);
    expect(Object.fromEntries(found.map((s) => [s._id, [s.sum, s.count]]))).toEqual({ drifted: [6, 3], orphaned: [0, 0], 'race-title': [0, 0] });
    expect(await lastEvent('drifted')).toEqual({ contentId: 'drifted', sum: '6', count: '3' });
    expect(await lastEvent('orphaned')).toEqual({ contentId: 'orphaned', sum: '0', count: '0' });
  });
});
