import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, uniqueTag } from '../src/testing';

// Every service relies on MongoDB's single-document atomicity ($inc counters, conditional
// claims). The embedded database must give the same guarantee, so this runs against it.
let connection: mongoose.Connection;

beforeAll(async () => {
  const env = testEnv(uniqueTag('atomicity'));
  connection = await mongoose.createConnection(env.MONGODB_URL!, { dbName: env.MONGODB_DB }).asPromise();
});
afterAll(() => connection?.close());

describe('the database under concurrent writes', () => {
  it('applies every one of 50 concurrent $inc on one document', async () => {
    const counters = connection.collection<{ _id: string; n: number }>('counters');
    await counters.insertOne({ _id: 'c', n: 0 });
    await Promise.all(Array.from({ length: 50 }, () => counters.updateOne({ _id: 'c' }, { $inc: { n: 1 } })));
    expect((await counters.findOne({ _id: 'c' }))?.n).toBe(50);
  });

  it('lets exactly one of 20 concurrent conditional findOneAndUpdate calls claim a document', async () => {
    const claims = connection.collection<{ _id: string; owner: number | null }>('claims');
    await claims.insertOne({ _id: 'job', owner: null });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => claims.findOneAndUpdate({ _id: 'job', owner: null }, { $set: { owner: i } })));
    expect(results.filter((r) => r !== null)).toHaveLength(1);
  });
});
