import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentDatabaseBudget, DeadlinePassedError, withDatabaseBudget } from '../src';
import { testEnv, uniqueTag } from '../src/testing';

let connection: mongoose.Connection;
const itemSchema = new mongoose.Schema({ n: { type: Number, required: true } });
let Item: mongoose.Model<mongoose.InferSchemaType<typeof itemSchema>>;

beforeAll(async () => {
  const env = testEnv(uniqueTag('budget'));
  connection = await mongoose.createConnection(env.MONGODB_URL!, { dbName: env.MONGODB_DB }).asPromise();
  Item = connection.model('Item', itemSchema);
  await Item.create(Array.from({ length: 5 }, (_, n) => ({ n })));
});
afterAll(() => connection?.close());

describe('a request’s database budget', () => {
  it('lets one request run no more than its budget of operations at once, and every one completes', async () => {
    const { peak, results } = await withDatabaseBudget(3, async () => {
      const results = await Promise.all([
        ...Array.from({ length: 12 }, () => Item.find({}).lean().exec()),
        ...Array.from({ length: 4 }, () => Item.aggregate([{ $match: {} }, { $count: 'n' }]).exec()),
        ...Array.from({ length: 4 }, () => Item.countDocuments({}).exec()),
      ]);
      return { peak: currentDatabaseBudget()!.peak, results };
    });
    expect(results).toHaveLength(20);
    expect(peak).toBe(3);
  });

  it('gives a slot back when an operation fails, so the request goes on', async () => {
    await withDatabaseBudget(1, async () => {
      await expect(Item.find({ $where: 'no such operator' } as never).exec()).rejects.toThrow();
      await expect(Item.aggregate([{ $noSuchStage: {} } as never]).exec()).rejects.toThrow();
      expect(await Item.countDocuments({}).exec()).toBe(5);
    });
  });

  it('keeps two requests’ budgets apart, and leaves work outside a request unbounded', async () => {
    const [a, b] = await Promise.all(
      [1, 2].map(() =>
        withDatabaseBudget(2, async () => {
          await Promise.all(Array.from({ length: 6 }, () => Item.findOne({}).exec()));
          return currentDatabaseBudget()!.peak;
        }),
      ),
    );
    expect([a, b]).toEqual([2, 2]);
    expect(currentDatabaseBudget()).toBeUndefined();
    expect(await Promise.all(Array.from({ length: 6 }, () => Item.findOne({}).exec()))).toHaveLength(6);
  });

  it('starts no database work once the request’s deadline has passed: the gateway stopped waiting', async () => {
    await withDatabaseBudget(
      2,
      async () => {
        expect(await Item.countDocuments({}).exec()).toBe(5);
        await new Promise((resolve) => setTimeout(resolve, 80));
        await expect(Item.find({}).exec()).rejects.toBeInstanceOf(DeadlinePassedError);
        await expect(Item.aggregate([{ $match: {} }]).exec()).rejects.toBeInstanceOf(DeadlinePassedError);
      },
      Date.now() + 50,
    );
  });

  it('starts no database work once its caller closed the request: the gateway abandoned the call', async () => {
    const caller = new AbortController();
    await withDatabaseBudget(
      2,
      async () => {
        expect(await Item.countDocuments({}).exec()).toBe(5);
        caller.abort();
        await expect(Item.find({}).exec()).rejects.toThrow('the caller closed the request');
        await expect(Item.aggregate([{ $match: {} }]).exec()).rejects.toBeInstanceOf(DeadlinePassedError);
      },
      undefined,
      caller.signal,
    );
  });
});
