import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '@ott/kit';
import { errorCodes, graphql, startPrivateMongo, testEnv, uniqueTag } from '@ott/kit/testing';
import { announceChange } from '../src/catalogue/catalogue.version';
import { catalogConfig } from '../src/config';
import { defaultSeed, importCatalog } from '../src/import/catalog.import';
import { readVegaMovies } from '../src/import/vega-movies';
import { start } from '../src/index';
import { createModels, type CatalogModels } from '../src/models';

const NO_REDIS = 'redis://127.0.0.1:1';
const seed = () => defaultSeed(readVegaMovies().slice(0, 40));

let mongoServer: Awaited<ReturnType<typeof startPrivateMongo>>;
let env: NodeJS.ProcessEnv;
let catalog: Service;
let mongo: mongoose.Connection;
let models: CatalogModels;

const TOP = `{ browse(sort: POPULARITY_DESC, first: 1) { totalCount edges { node { id title } } } }`;
type Top = { browse: { totalCount: number; edges: { node: { id: string; title: string } }[] } };
const top = async () => {
  const response = await graphql<Top>(catalog.url, TOP);
  expect(response.errors).toBeUndefined();
  return response.data!.browse;
};

async function until(check: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function connect() {
  const config = catalogConfig(env);
  mongo = await mongoose.createConnection(config.MONGODB_URL, { dbName: config.MONGODB_DB, autoIndex: false, autoCreate: false }).asPromise();
  models = createModels(mongo);
}

beforeAll(async () => {
  mongoServer = await startPrivateMongo();
  env = testEnv(uniqueTag('catalog_safety'), { MONGODB_URL: mongoServer.url, REDIS_URL: NO_REDIS, CACHE_TTL_SECONDS: '4' });
  await connect();
  await importCatalog(models, seed());
  catalog = await start(env);
});
afterAll(async () => {
  await catalog?.close();
  await mongo?.close();
  await mongoServer?.stop();
});

describe('the catalogue in memory, when a change goes unannounced or the database goes away', () => {
  it('loads the catalogue again in the background once it is older than CACHE_TTL_SECONDS, catching a change never announced', async () => {
    const { edges } = await top();
    const { id, title } = edges[0]!.node;
    // A full load now (an announced change of everything), so the copy is young for CACHE_TTL_SECONDS.
    await announceChange(mongo, { all: true });
    await top();
    // Written past the services and never announced, as a writer that died before announcing
    // leaves it: the version does not move, so only the background load can bring it in.
    await models.contents.collection.updateOne({ _id: new mongoose.Types.ObjectId(id) }, { $set: { title: 'Changed Unannounced' } });
    expect((await top()).edges[0]!.node.title).toBe(title);
    await until(async () => (await top()).edges[0]!.node.title === 'Changed Unannounced');
  });

  it('answers from the copy while the database is down, and takes changes again once it is back', async () => {
    const before = await top();
    await mongo.close();
    await mongoServer.stop();
    const during = await graphql<Top>(catalog.url, TOP);
    expect(errorCodes(during)).toEqual([]);
    expect(during.data!.browse).toEqual(before);

    mongoServer = await startPrivateMongo(mongoServer.dataDir, mongoServer.port);
    await connect();
    const { id } = before.edges[0]!.node;
    await models.contents.updateOne({ _id: id }, { $set: { title: 'Back Again' } });
    await announceChange(mongo, { contents: [id] });
    await until(async () => (await top()).edges[0]!.node.title === 'Back Again');
  }, 60_000);
});
