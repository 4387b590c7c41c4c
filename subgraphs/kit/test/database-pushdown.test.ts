import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The embedded database answers equality and $in on indexed top-level fields through SQLite's
// indexes (tools/embedded-mongo/patches). What it selects there is only a superset that
// FerretDB filters again, so a pushed-down condition may return too much but never too little.
// This corpus holds both sides to that: the same documents, the same filters, one server with
// pushdown and one that filters every document in Go, and the answers must be identical.
const { MongoClient, Long, Double, Int32, ObjectId, BSON } = mongoose.mongo;
type Client = InstanceType<typeof MongoClient>;
type Filter = Record<string, unknown>;
type Doc = Filter & { _id: number | string | InstanceType<typeof ObjectId> };

const oid = new ObjectId('65a1b2c3d4e5f60718293a4b');
const otherOid = new ObjectId('65a1b2c3d4e5f60718293a4c');
const when = new Date('2026-01-02T03:04:05.678Z');

// _id is a number, so both answers can be put in one order; every field below is indexed.
const DOCUMENTS: Doc[] = [
  { _id: 1, s: 'a', n: 5, b: true, d: when, ref: oid, oid: 'x', u: 'u1', c: 'c1', email: 'one@x.test' },
  { _id: 2, s: 'A', n: new Long(5), b: false, d: new Date(0), ref: otherOid, oid: 'y', u: 'u1', c: 'c2', email: 'two@x.test' },
  { _id: 3, s: '', n: new Double(5), b: 1, nul: null, u: 'u2', c: 'c1' },
  { _id: 4, s: 'a<b>&\'"\\', n: 5.5, b: 0, arr: ['x', 'y'], u: ['u1', 'u3'], c: 'c1' },
  { _id: 5, s: 'é 🎬 \u2028 \u0000x', n: 0, arr: [5, 6], u: 'u3', c: ['c1', 'c9'] },
  { _id: 6, s: oid.toHexString(), n: new Double(-0), arr: [], d: when.getTime() },
  { _id: 7, s: '5', n: new Long(2 ** 53), arr: [{ k: 'x' }], doc: { a: 1 } },
  { _id: 8, s: 'a', n: Long.fromString('9007199254740993'), arr: [null, 'x'], doc: { a: 2 } },
  { _id: 9, n: 1e300, arr: 'x', nul: 'set', b: null, 'we-ird': 'x' },
  { _id: 10, s: ['a', 'b'], n: [5, 7], ref: [oid], d: [when], b: [true] },
  { _id: 'text-id', s: 'z', n: -3, u: 'u2', c: 'c2' },
  { _id: oid, s: 'oid-id', n: new Int32(5), u: 'u4', c: 'c4' },
];

const INDEXES: Record<string, 1>[] = [{ s: 1 }, { n: 1 }, { b: 1 }, { d: 1 }, { ref: 1 }, { oid: 1 }, { nul: 1 }, { arr: 1 }, { 'doc.a': 1 }, { u: 1, c: 1 }];

const FILTERS: Filter[] = [
  // strings, with what JSON escapes
  { s: 'a' },
  { s: 'A' },
  { s: '' },
  { s: 'a<b>&\'"\\' },
  { s: 'é 🎬 \u2028 \u0000x' },
  { s: '5' },
  { s: oid.toHexString() },
  { s: 'missing' },
  // ObjectIds, and a string with the same hex
  { ref: oid },
  { ref: otherOid },
  { ref: oid.toHexString() },
  // SQLite reads "oid" as the rowid, not as a JSON label
  { oid: 'x' },
  { OID: 'x' },
  { _id: oid },
  { _id: oid.toHexString() },
  // numbers of every type, zero and its sign, the edges of exact doubles (FerretDB takes no NaN)
  { n: 5 },
  { n: new Long(5) },
  { n: new Double(5) },
  { n: new Int32(5) },
  { n: 5.5 },
  { n: 0 },
  { n: new Double(-0) },
  { n: -3 },
  { n: new Long(2 ** 53) },
  { n: Long.fromString('9007199254740993') },
  { n: 2 ** 53 + 2 },
  { n: 1e300 },
  { n: Number.POSITIVE_INFINITY },
  { n: 7 },
  // dates, and a number with the same milliseconds
  { d: when },
  { d: new Date(0) },
  { d: when.getTime() },
  { d: { $in: [when, new Date(0)] } },
  // booleans are not numbers
  { b: true },
  { b: false },
  { b: 1 },
  // null matches null and missing fields
  { nul: null },
  { nothing: null },
  { b: null },
  { nul: { $exists: false } },
  // arrays hold what they match
  { arr: 'x' },
  { arr: 5 },
  { arr: ['x', 'y'] },
  { arr: [] },
  { arr: null },
  { arr: { $in: ['y', 6] } },
  { s: 'b' },
  // compound indexes, their prefixes and arrays in them
  { u: 'u1', c: 'c1' },
  { u: 'u1' },
  { c: 'c1' },
  { c: 'c9' },
  { u: { $in: ['u1', 'u2'] }, c: 'c2' },
  { u: 'u1', c: { $eq: 'c1' } },
  { u: 'u3', c: 'c1' },
  // $in and $eq in their other shapes
  { _id: { $in: [1, 3, 'text-id', oid, 99] } },
  { _id: { $in: [] } },
  { s: { $in: ['a', 'A', 'zz'] } },
  { s: { $in: ['a', /^z/] } },
  { s: { $in: ['a', null] } },
  { s: { $eq: 'a' } },
  { s: { $eq: 'a' }, n: 5 },
  { n: { $in: [0, 5.5, new Long(-3)] } },
  // what is left to FerretDB alone
  { s: { $ne: 'a' } },
  { s: /^a/ },
  { n: { $gte: 5 } },
  { doc: { a: 1 } },
  { 'doc.a': 2 },
  { $or: [{ s: 'a' }, { n: -3 }] },
  { $and: [{ u: 'u1' }, { c: 'c2' }] },
  { 'we-ird': 'x' },
  { s: 'a', $comment: 'a comment' },
  {},
];

const ejson = (value: unknown) => BSON.EJSON.stringify(value, { relaxed: false });

let withPushdown: Client;
let reference: Client;
const stops: (() => Promise<void>)[] = [];
let dataDir: string;

async function start(pushdown: boolean): Promise<Client> {
  const { startEmbeddedMongo } = await import('../../../tools/stack/services.mjs');
  const mongo = await startEmbeddedMongo({ dataDir: join(dataDir, String(pushdown)), pushdown });
  stops.push(mongo.stop);
  const client = await new MongoClient(mongo.url).connect();
  stops.push(() => client.close());
  return client;
}

const both = () => [withPushdown, reference].map((client) => client.db('corpus').collection<Doc>('docs'));

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'ott-pushdown-'));
  [withPushdown, reference] = await Promise.all([start(true), start(false)]);
  for (const docs of both()) {
    for (const key of INDEXES) await docs.createIndex(key);
    await docs.createIndex({ email: 1 }, { unique: true });
    await docs.insertMany(DOCUMENTS);
  }
});

afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the embedded database with index pushdown', () => {
  it('finds and counts exactly what filtering every document finds', async () => {
    const [pushed, plain] = both();
    let matched = 0;
    for (const filter of FILTERS) {
      const expected = await plain.find(filter).sort({ _id: 1 }).toArray();
      const label = ejson(filter);
      expect(ejson(await pushed.find(filter).sort({ _id: 1 }).toArray()), label).toBe(ejson(expected));
      expect(await pushed.countDocuments(filter), label).toBe(expected.length);
      matched += expected.length;
    }
    // the corpus is only a test if its filters find documents
    expect(matched).toBeGreaterThan(FILTERS.length);
  });

  it('finds documents whose indexed field is an array holding the value', async () => {
    const [pushed] = both();
    expect((await pushed.find({ arr: 'x' }).toArray()).map((d) => d._id).sort()).toEqual([4, 8, 9]);
    expect((await pushed.find({ u: 'u1', c: 'c1' }).toArray()).map((d) => d._id).sort()).toEqual([1, 4]);
    expect((await pushed.find({ c: 'c9' }).toArray()).map((d) => d._id)).toEqual([5]);
  });

  it('selects member-scoped shapes through the index, and the reference scans', async () => {
    const shapes: Filter[] = [{ u: 'u1', c: 'c1' }, { u: 'u1' }, { u: { $in: ['u1', 'u2'] } }, { _id: { $in: [1, 2] } }, { ref: oid }, { d: when }];
    const [pushed, plain] = both();
    for (const filter of shapes) {
      const plan = JSON.stringify(await pushed.find(filter).explain());
      expect(plan, ejson(filter)).toMatch(/"filterPushdown":true/);
      expect(plan, ejson(filter)).toMatch(/SEARCH docs_\w+ USING INDEX/);
      expect(plan, ejson(filter)).not.toMatch(/detail=SCAN/);
      expect(JSON.stringify(await plain.find(filter).explain()), ejson(filter)).toMatch(/"filterPushdown":false/);
    }
  });

  it('updates, replaces and deletes the same documents as the reference', async () => {
    for (const docs of both()) {
      await docs.updateMany({ u: 'u1' }, { $set: { touched: true } });
      await docs.updateOne({ arr: 5 }, { $set: { n: 6 } });
      await docs.findOneAndUpdate({ c: 'c1' }, { $set: { first: true } }, { sort: { _id: -1 } });
      await docs.updateOne({ u: 'u9', c: 'c9' }, { $set: { upserted: true } }, { upsert: true });
      await docs.deleteMany({ c: 'c2' });
      await docs.findOneAndDelete({ s: 'z' });
    }
    const [pushed, plain] = both();
    const strip = (docs: Doc[]) => docs.map(({ _id, ...rest }) => (rest.upserted ? rest : { _id, ...rest }));
    expect(ejson(strip(await pushed.find({}).sort({ _id: 1 }).toArray()))).toBe(ejson(strip(await plain.find({}).sort({ _id: 1 }).toArray())));
    expect(await pushed.countDocuments({ touched: true })).toBeGreaterThan(0);
  });

  it('still rejects a duplicate in a unique index with E11000', async () => {
    const [pushed] = both();
    await expect(pushed.insertOne({ _id: 100, email: 'one@x.test' })).rejects.toMatchObject({ code: 11000 });
    await expect(pushed.insertOne({ _id: 1, email: 'new@x.test' })).rejects.toMatchObject({ code: 11000 });
    expect(await pushed.countDocuments({ email: 'one@x.test' })).toBe(1);
  });

  it('deletes more documents at once than SQLite takes variables in one statement', async () => {
    const many = withPushdown.db('corpus').collection<{ _id: number; g: string }>('many');
    await many.createIndex({ g: 1 });
    for (let start = 0; start < 33_000; start += 5_500) {
      await many.insertMany(Array.from({ length: 5_500 }, (_, i) => ({ _id: start + i, g: 'bulk' })));
    }
    await many.insertOne({ _id: -1, g: 'kept' });
    expect((await many.deleteMany({ g: 'bulk' })).deletedCount).toBe(33_000);
    expect(await many.countDocuments({})).toBe(1);
  });
});
