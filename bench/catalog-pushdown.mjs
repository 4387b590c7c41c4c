// What FerretDB 1.24 over SQLite answers without reading the whole collection: times the
// query shapes the catalog subgraph uses, against the seeded catalogue. Starts its own
// embedded database, seeds it with the catalog's seed command, and stops what it started.
//
//   node bench/catalog-pushdown.mjs [repetitions, default 5]
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, startEmbeddedMongo } from '../tools/stack/services.mjs';

const repetitions = Number(process.argv[2] ?? 5);
const CATALOG_DIR = join(ROOT, 'subgraphs/catalog');
const { MongoClient } = createRequire(join(CATALOG_DIR, 'package.json'))('mongoose').mongo;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timed(run) {
  const times = [];
  for (let i = 0; i < repetitions; i += 1) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return median(times);
}

const dataDir = await mkdtemp(join(tmpdir(), 'ott-pushdown-'));
const mongo = await startEmbeddedMongo({ dataDir });
const client = new MongoClient(mongo.url);
try {
  execFileSync(process.execPath, ['-r', '@swc-node/register', 'src/import/cli.ts'], {
    cwd: CATALOG_DIR,
    env: { ...process.env, MONGODB_URL: mongo.url, MONGODB_DB: 'pushdown', LOG_LEVEL: 'warn' },
    stdio: 'inherit',
  });
  await client.connect();
  const db = client.db('pushdown');
  const contents = db.collection('contents');
  const episodes = db.collection('episodes');
  const total = await contents.countDocuments();
  const ids = (
    await contents
      .find({}, { projection: { _id: 1 } })
      .sort({ popularity: -1 })
      .limit(50)
      .toArray()
  ).map((d) => d._id);
  const drama = await db.collection('genres').findOne({ slug: 'drama' });
  const show = await contents.findOne({ kind: 'TV_SHOW' });
  const live = { deletedAt: null };
  const shapes = [
    ['find { _id } (one title)', () => contents.find({ _id: ids[0] }).toArray()],
    ['findOne { _id } (one title)', () => contents.findOne({ _id: ids[0] })],
    ['findOne { _id } on catalogue_versions (the version check)', () => db.collection('catalogue_versions').findOne({ _id: 'catalogue' })],
    ['find { _id, deletedAt: null }', () => contents.find({ _id: ids[0], ...live }).toArray()],
    ['find { _id: { $in: 50 ids } }', () => contents.find({ _id: { $in: ids } }).toArray()],
    [
      '50 × find { _id }, one after another',
      async () => {
        for (const id of ids) await contents.findOne({ _id: id });
      },
    ],
    ['50 × find { _id }, all at once', () => Promise.all(ids.map((id) => contents.findOne({ _id: id })))],
    ['find {} sort popularity limit 21', () => contents.find(live).sort({ popularity: -1, _id: 1 }).limit(21).toArray()],
    [
      'find { genreIds } sort popularity limit 21',
      () =>
        contents
          .find({ ...live, genreIds: String(drama._id) })
          .sort({ popularity: -1, _id: 1 })
          .limit(21)
          .toArray(),
    ],
    ['countDocuments { deletedAt: null }', () => contents.countDocuments(live)],
    ['countDocuments {} (estimated: collection stats)', () => contents.estimatedDocumentCount()],
    [
      'find { featured: true } limit 10',
      () =>
        contents
          .find({ ...live, featured: true })
          .sort({ popularity: -1, _id: 1 })
          .limit(10)
          .toArray(),
    ],
    [
      'find { titleNormalized: /^star/ } limit 20',
      () =>
        contents
          .find({ ...live, titleNormalized: { $regex: '^star' } })
          .sort({ popularity: -1, _id: 1 })
          .limit(20)
          .toArray(),
    ],
    ['find {} limit 1 (no sort)', () => contents.find({}).limit(1).toArray()],
    ['find {} whole collection', () => contents.find({}).toArray()],
    ['find {} whole collection, projection { genreIds }', () => contents.find({}, { projection: { genreIds: 1 } }).toArray()],
    ['find episodes { showId }', () => episodes.find({ showId: String(show._id) }).toArray()],
    ['find episodes {} whole collection', () => episodes.find({}).toArray()],
  ];
  console.log(`${total} titles, ${await episodes.countDocuments()} episodes; median of ${repetitions} runs, one client\n`);
  console.log('| query | ms |');
  console.log('| --- | ---: |');
  for (const [label, run] of shapes) console.log(`| ${label} | ${(await timed(run)).toFixed(1)} |`);
} finally {
  await client.close();
  await mongo.stop();
  await rm(dataDir, { recursive: true, force: true });
}
