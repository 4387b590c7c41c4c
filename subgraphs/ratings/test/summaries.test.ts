import { GraphQLError } from 'graphql';
import { Types, type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMongo, connectRedis, createLogger, createRedis, ensureIndexes, type RedisClient } from '@ott/kit';
import { testEnv, uniqueTag } from '@ott/kit/testing';
import { ratingsConfig } from '../src/config';
import { createServices } from '../src/server';
import { ContentLocks } from '../src/summary/content-locks';
import { averageOf } from '../src/summary/summary.model';

const logger = createLogger('ratings-summaries-test', 'silent');
const config = ratingsConfig(testEnv(uniqueTag('ratings_summaries')));
let mongo: Connection;
let events: RedisClient;
let services: ReturnType<typeof createServices>;

beforeAll(async () => {
  mongo = await connectMongo(config.MONGODB_URL, config.MONGODB_DB, logger);
  events = createRedis('test-events', { url: config.REDIS_URL, keyPrefix: '' }, logger);
  await connectRedis(events);
  services = createServices({ config, mongo, events, logger });
  await ensureIndexes([services.models.ratings, services.models.summaries]);
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
  const fields = entries.map(([, values]) =>
    Object.fromEntries(values.reduce<[string, string][]>((pairs, v, i, all) => (i % 2 ? pairs : [...pairs, [v, all[i + 1]!]]), [])),
  );
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
    await Promise.all(Array.from({ length: 40 }, (_, i) => services.locks.run(contentId, async (lease) => lease.add((i % 10) + 1, 1))));
    const [summary] = await services.summaries.findByContentIds([contentId]);
    expect(summary).toMatchObject({ sum: 4 * 55, count: 40, version: 40 });
    expect(summary).not.toHaveProperty('lockedBy');
    expect(await lastEvent(contentId)).toEqual({ contentId, sum: '220', count: '40', version: '40' });
  });

  it('frees the lease without a new version when the work changed nothing, and with what it recorded when it failed', async () => {
    const contentId = 'quiet-title';
    await services.locks.run(contentId, async (lease) => lease.add(5, 1));
    await services.locks.run(contentId, async () => undefined);
    const failure = await services.locks
      .run(contentId, async (lease) => {
        lease.add(3, 1); // the rating was written, then something after it failed
        throw new Error('after the rating write');
      })
      .catch((error: unknown) => error);

    expect(failure).toMatchObject({ message: 'after the rating write' });
    const [summary] = await services.summaries.findByContentIds([contentId]);
    expect(summary).toMatchObject({ sum: 8, count: 2, version: 2 });
    expect(await services.locks.abandoned()).not.toContain(contentId);
  });

  it('keeps counters exact when two processes race on one title, because the lease in the database serialises them', async () => {
    const contentId = 'two-process-title';
    // A second set of services has its own in-memory queue, as another process would.
    const other = createServices({ config, mongo, events, logger });
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => {
        const process = i % 2 === 0 ? services : other;
        return process.locks.run(contentId, async (lease) => lease.add(2, 1));
      }),
    );
    const [summary] = await services.summaries.findByContentIds([contentId]);
    expect(summary).toMatchObject({ sum: 60, count: 30 });
  });

  it('recomputes a title whose writer died holding its lease, before the next change is applied', async () => {
    const contentId = 'crashed-title';
    await storeRatings(contentId, [6, 8]);
    // The writer stored the second rating, then died before its release, leaving its lease.
    await services.models.summaries.create({
      _id: contentId,
      sum: 6,
      count: 1,
      version: 1,
      lockedBy: 'dead-process',
      lockedUntil: new Date(Date.now() - 1_000),
    });
    expect(await services.locks.abandoned()).toEqual([contentId]);

    await services.locks.run(contentId, async (lease) => {
      await storeRatings(contentId, [4]);
      lease.add(4, 1);
    });

    const [summary] = await services.summaries.findByContentIds([contentId]);
    expect(summary).toMatchObject({ sum: 18, count: 3, version: 2 });
    expect(summary).not.toHaveProperty('lockedBy');
    expect(await services.locks.abandoned()).toEqual([]);
  });

  it('recomputes a title when its writer, paused past the lease, finds it taken over at release', async () => {
    const contentId = 'paused-title';
    await storeRatings(contentId, [7]);
    await services.locks.run(contentId, async (lease) => lease.add(7, 1));
    const hasty = createServices({ config: { ...config }, mongo, events, logger });
    const shortLease = new ContentLocks(
      services.models.summaries,
      logger,
      { leaseMs: 50, waitMs: 5_000 },
      {
        recover: (id, lease) => hasty.summaries.recompute(id, lease),
        released: (totals) => hasty.summaries.publish(totals),
      },
    );

    await shortLease.run(contentId, async (lease) => {
      // Paused past its lease: another process takes the title over and recomputes it (one
      // rating); only then does this writer's rating land, which that recompute missed.
      await new Promise((resolve) => setTimeout(resolve, 100));
      await services.locks.run(contentId, async () => undefined);
      await storeRatings(contentId, [3]);
      lease.add(3, 1);
    });

    const [summary] = await services.summaries.findByContentIds([contentId]);
    expect(summary).toMatchObject({ sum: 10, count: 2 });
    expect(await lastEvent(contentId)).toMatchObject({ sum: '10', count: '2' });
  });

  it('refuses a change with RATE_LIMITED and when to retry, once the title’s lease stays held past the wait', async () => {
    const contentId = 'busy-title';
    const impatient = new ContentLocks(
      services.models.summaries,
      logger,
      { leaseMs: 10_000, waitMs: 150 },
      { recover: async () => {}, released: async () => {} },
    );
    await services.models.summaries.create({ _id: contentId, sum: 0, count: 0, lockedBy: 'busy-process', lockedUntil: new Date(Date.now() + 60_000) });
    let applied = false;

    const refusal = await impatient.run(contentId, async () => (applied = true)).catch((error: unknown) => error);

    expect(refusal).toBeInstanceOf(GraphQLError);
    expect((refusal as GraphQLError).extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 1 });
    expect(applied).toBe(false);
    expect(await services.models.summaries.findById(contentId).lean()).toMatchObject({ lockedBy: 'busy-process' });
    await services.models.summaries.deleteOne({ _id: contentId });
  });

  it('repairs every drifted title from its ratings and re-publishes all summaries', async () => {
    await storeRatings('drifted', [1, 2, 3]);
    await services.models.summaries.create({ _id: 'drifted', sum: 100, count: 9 });
    await services.models.summaries.create({ _id: 'orphaned', sum: 7, count: 1 });

    const report = await services.summaries.repairAll(services.locks);

    // race-title, quiet-title and two-process-title had sums but no ratings of their own, so they are corrected too.
    expect(report.corrected).toBe(5);
    const found = await services.summaries.findByContentIds(['drifted', 'orphaned', 'race-title']);
    expect(Object.fromEntries(found.map((s) => [s._id, [s.sum, s.count]]))).toEqual({ drifted: [6, 3], orphaned: [0, 0], 'race-title': [0, 0] });
    expect(await lastEvent('drifted')).toMatchObject({ contentId: 'drifted', sum: '6', count: '3' });
    expect(await lastEvent('orphaned')).toMatchObject({ contentId: 'orphaned', sum: '0', count: '0' });
  });
});
