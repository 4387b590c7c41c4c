import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, createLogger, createRedis, ensureIndexes, type RunningServer, type RedisClient } from '@ott/kit';
import { graphql, testAccessToken, testEnv, uniqueTag } from '@ott/kit/testing';
import { catalogConfig } from '../src/config';
import { defaultSeed, importCatalog } from '../src/import/catalog.import';
import { indexedModels, type CatalogModels } from '../src/models';
import { createServer } from '../src/server';

const ENTITIES = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Content { id title genres { name } } ... on Episode { id title } } }`;

let mongo: mongoose.Connection;
let redis: RedisClient;
let events: RedisClient;
let server: RunningServer;
let models: CatalogModels;
let service: Awaited<ReturnType<typeof createServer>>;
let deletedStream: string;
let adminToken: string;
const commands: mongoose.mongo.CommandStartedEvent[] = [];

/** The database commands a request sent, by name and collection, e.g. "find contents". */
async function commandsOf(request: () => Promise<unknown>): Promise<string[]> {
  commands.length = 0;
  await request();
  return commands.map((c) => `${c.commandName} ${String(c.command[c.commandName])}`);
}

async function entities(reps: { __typename: string; id: string }[]) {
  const response = await graphql<{ _entities: ({ id: string } | null)[] }>(server.url, ENTITIES, { reps });
  expect(response.errors).toBeUndefined();
  expect(response.data!._entities.every((e, i) => e?.id === reps[i]!.id)).toBe(true);
}

beforeAll(async () => {
  const env = testEnv(uniqueTag('catalog_queries'));
  const config = catalogConfig(env);
  deletedStream = config.contentDeletedStream;
  const logger = createLogger('catalog', 'silent');
  // Command monitoring on the service's own connection sees every query a request costs.
  mongo = await mongoose
    .createConnection(config.MONGODB_URL, { dbName: config.MONGODB_DB, monitorCommands: true, autoIndex: false, autoCreate: false })
    .asPromise();
  redis = createRedis('catalog', { url: config.REDIS_URL, keyPrefix: `${config.REDIS_KEY_PREFIX}catalog:` }, logger);
  await connectRedis(redis);
  events = createRedis('catalog-events', { url: config.REDIS_URL, keyPrefix: '' }, logger);
  await connectRedis(events);
  service = await createServer({ config, mongo, redis, events, logger });
  models = service.models;
  await ensureIndexes(indexedModels(models));
  await importCatalog(models, defaultSeed());
  server = await service.app.listen('127.0.0.1', 0);
  adminToken = testAccessToken({ id: new mongoose.Types.ObjectId().toHexString(), role: 'ADMIN' }, 300);
  mongo.getClient().on('commandStarted', (event: mongoose.mongo.CommandStartedEvent) => commands.push(event));
  await graphql(
    server.url,
    `
      {
        genres {
          id
        }
      }
    `,
  );
});
afterAll(async () => {
  await server?.close();
  redis?.disconnect();
  events?.disconnect();
  await mongo?.close();
});

describe('database work per request', () => {
  it('resolves 5 and 100 content references with one query each', async () => {
    const docs = await models.contents.find({}, { kind: 1 }).sort({ _id: -1 }).limit(105).lean();
    const reps = docs.map((doc, i) => ({ __typename: ['Content', doc.kind === 'MOVIE' ? 'Movie' : 'TvShow'][i % 2]!, id: String(doc._id) }));
    const five = await commandsOf(() => entities(reps.slice(0, 5)));
    const hundred = await commandsOf(() => entities(reps.slice(5)));
    expect(five).toEqual(['find contents']);
    expect(hundred).toEqual(five);
  });

  it('answers a repeated batch of references from Redis without a query', async () => {
    const docs = await models.contents.find({}, { _id: 1 }).sort({ _id: 1 }).limit(50).lean();
    const reps = docs.map((doc) => ({ __typename: 'Content', id: String(doc._id) }));
    expect(await commandsOf(() => entities(reps))).toEqual(['find contents']);
    expect(await commandsOf(() => entities(reps))).toEqual([]);
  });

  it('resolves 5 and 100 episode references with one query each', async () => {
    const docs = await models.episodes.find({}, { _id: 1 }).limit(105).lean();
    const reps = docs.map((doc) => ({ __typename: 'Episode', id: String(doc._id) }));
    expect(await commandsOf(() => entities(reps.slice(0, 5)))).toEqual(['find episodes']);
    expect(await commandsOf(() => entities(reps.slice(5)))).toEqual(['find episodes']);
  });

  it('costs the same queries for a page of 5 and of 40 titles with their similar titles and seasons', async () => {
    const page = (first: number) => () =>
      graphql(
        server.url,
        `
          query ($first: Int) {
            browse(first: $first, sort: RATING_DESC) {
              edges {
                node {
                  title
                  similar(first: 3) {
                    title
                  }
                  ... on TvShow {
                    seasons {
                      number
                    }
                  }
                }
              }
            }
          }
        `,
        { first },
      );
    // getMore only continues a query's cursor when the server splits a large answer.
    const queries = (commands: string[]) => commands.filter((c) => !c.startsWith('getMore'));
    const small = queries(await commandsOf(page(5)));
    const large = queries(await commandsOf(page(40)));
    expect(small).toEqual(['aggregate contents', 'find contents', 'find episodes', 'find contents', 'find contents']);
    expect(large).toEqual(small);
  });

  it('serves the first page of browse from Redis until an ADMIN write invalidates it', async () => {
    const firstPage = () =>
      graphql(
        server.url,
        `
          {
            browse(first: 10, filter: { kind: TV_SHOW }) {
              totalCount
              edges {
                node {
                  id
                }
              }
            }
          }
        `,
      );
    await firstPage();
    expect(await commandsOf(firstPage)).toEqual([]);
    const show = await models.contents.findOne({ kind: 'TV_SHOW' }).lean();
    const write = await graphql(
      server.url,
      `
        mutation ($id: ID!) {
          setFeatured(contentId: $id, featured: true) {
            id
          }
        }
      `,
      { id: String(show!._id) },
      { token: adminToken },
    );
    expect(write.errors).toBeUndefined();
    expect((await commandsOf(firstPage)).length).toBeGreaterThan(0);
  });
});

describe('tombstones in catalog’s own database', () => {
  it('lists, finds and removes a title whose document has no deletedAt field at all', async () => {
    const doc = await models.contents.findOne({ kind: 'MOVIE' }).sort({ popularity: -1 }).lean();
    const id = String(doc!._id);
    // As written before the field existed: the filter `deletedAt: null` must match a missing field.
    await models.contents.collection.updateOne({ _id: doc!._id }, { $unset: { deletedAt: '' } });
    expect(await models.contents.collection.countDocuments({ _id: doc!._id, deletedAt: { $exists: true } })).toBe(0);
    await service.contents.invalidate();

    const READ = `query ($id: ID!, $q: String!) { content(id: $id) { id available } search(query: $q, first: 100) { id } browse(sort: POPULARITY_DESC, first: 100) { edges { node { id } } } }`;
    type Read = { content: { id: string; available: boolean } | null; search: { id: string }[]; browse: { edges: { node: { id: string } }[] } };
    const before = await graphql<Read>(server.url, READ, { id, q: doc!.title });
    expect(before.data!.content).toEqual({ id, available: true });
    expect(before.data!.search.map((c) => c.id)).toContain(id);
    expect(before.data!.browse.edges.map((e) => e.node.id)).toContain(id);

    const removal = await graphql(
      server.url,
      `
        mutation ($id: ID!) {
          deleteContent(id: $id)
        }
      `,
      { id },
      { token: adminToken },
    );
    expect(removal.data).toEqual({ deleteContent: true });
    const after = await graphql<Read>(server.url, READ, { id, q: doc!.title });
    expect(after.data!.content).toBeNull();
    expect(after.data!.search.map((c) => c.id)).not.toContain(id);
    expect(after.data!.browse.edges.map((e) => e.node.id)).not.toContain(id);
  });

  it('announces again at start-up a removal whose event never reached the stream, and only once', async () => {
    const doc = await models.contents.findOne({ kind: 'TV_SHOW', deletedAt: null }).lean();
    const id = String(doc!._id);
    // What a removal leaves when Redis refused the event: a tombstone not yet announced.
    await models.contents.updateOne({ _id: doc!._id }, { $set: { deletedAt: new Date() } });
    expect(await service.contents.announcePendingDeletions()).toBe(1);
    expect(await service.contents.announcePendingDeletions()).toBe(0);
    const entries = await events.xrange(deletedStream, '-', '+');
    expect(entries.filter(([, fields]) => fields[1] === id)).toHaveLength(1);
  });
});
