import mongoose, { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicChangesChannel } from '@ott/events';
import { connectRedis, createLogger, createRedis, type RunningServer, type Service } from '@ott/kit';
import { graphql, startPrivateRedis, testAccessToken, testEnv, uniqueTag } from '@ott/kit/testing';
import { catalogCache } from '../src/catalog.cache';
import { CatalogueChanges } from '../src/catalogue/catalogue.changes';
import { CatalogueVersionFeed } from '../src/catalogue/catalogue.feed';
import { announceChange } from '../src/catalogue/catalogue.version';
import { defaultSeed, importCatalog } from '../src/import/catalog.import';
import { catalogConfig } from '../src/config';
import { start } from '../src/index';
import { createModels, type CatalogModels } from '../src/models';
import { createServer } from '../src/server';
import { until } from './support/until';

// A writer process and followers over one database and one Redis of the test's own (stopped
// and restarted below). Followers count their database commands per request.
const admin = testAccessToken({ id: new Types.ObjectId().toHexString(), role: 'ADMIN' });

let redisServer: Awaited<ReturnType<typeof startPrivateRedis>>;
let env: NodeJS.ProcessEnv;
let writer: Service;
let mongo: mongoose.Connection;
let models: CatalogModels;
const closers: (() => Promise<unknown> | void)[] = [];

interface Follower {
  url: string;
  /** The `find` commands (collection → filter) one request sent to the database. */
  findsOf(query: string): Promise<Record<string, unknown>[]>;
}

async function follower(checkMs: number): Promise<Follower> {
  const config = catalogConfig({ ...env, CATALOG_VERSION_CHECK_MS: String(checkMs) });
  const logger = createLogger('catalog-follower', 'silent');
  const monitored = await mongoose
    .createConnection(config.MONGODB_URL, { dbName: config.MONGODB_DB, monitorCommands: true, autoIndex: false, autoCreate: false })
    .asPromise();
  const [redis, events, versionFeed] = ['cache', 'events', 'feed'].map((label) =>
    createRedis(`follower-${label}`, { url: config.REDIS_URL, keyPrefix: '' }, logger),
  );
  await Promise.all([redis, events, versionFeed].map((client) => connectRedis(client!)));
  const service = await createServer({ config, mongo: monitored, redis: redis!, events: events!, versionFeed, logger });
  await service.catalogue.start();
  const server: RunningServer = await service.app.listen('127.0.0.1', 0);
  const commands: mongoose.mongo.CommandStartedEvent[] = [];
  monitored.getClient().on('commandStarted', (event: mongoose.mongo.CommandStartedEvent) => commands.push(event));
  closers.push(async () => {
    await server.close();
    await service.catalogue.stop();
    [redis, events, versionFeed].forEach((client) => client!.disconnect());
    await monitored.close();
  });
  return {
    url: server.url,
    async findsOf(query) {
      commands.length = 0;
      const response = await graphql(server.url, query);
      expect(response.errors).toBeUndefined();
      return commands.filter((c) => c.commandName === 'find').map((c) => ({ [String(c.command.find)]: c.command.filter as unknown }));
    },
  };
}

async function createMovie(title: string): Promise<string> {
  const created = await graphql<{ createMovie: { id: string } }>(
    writer.url,
    `
      mutation ($title: String!) {
        createMovie(input: { title: $title, genreIds: [] }) {
          id
        }
      }
    `,
    { title },
    { token: admin },
  );
  expect(created.errors).toBeUndefined();
  return created.data!.createMovie.id;
}

const titleOf = (id: string) => `{ content(id: "${id}") { title } }`;
const VERSION_READ = { catalogue_versions: { _id: 'catalogue' } };

beforeAll(async () => {
  redisServer = await startPrivateRedis();
  env = testEnv(uniqueTag('catalog_feed'), { REDIS_URL: redisServer.url });
  writer = await start(env);
  const config = catalogConfig(env);
  mongo = await mongoose.createConnection(config.MONGODB_URL, { dbName: config.MONGODB_DB, autoIndex: false, autoCreate: false }).asPromise();
  models = createModels(mongo);
  await createMovie('Feed Prelude');
}, 60_000);
afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await writer?.close();
  await mongo?.close();
  await redisServer?.stop();
});

describe('the catalogue version pushed over Redis', () => {
  it('answers reads without asking the database, once it has checked the version since subscribing', async () => {
    const reader = await follower(60_000);
    const QUERY = `{ browse(first: 5) { totalCount edges { node { id title } } } featured { id } genres { id } }`;
    await until(async () => (await reader.findsOf(QUERY)).length === 0);
    expect(await reader.findsOf(QUERY)).toEqual([]);
    expect(await reader.findsOf(QUERY)).toEqual([]);
  });

  it('shows another process’s write on the next read, re-reading only what changed', async () => {
    const reader = await follower(60_000);
    await until(async () => (await reader.findsOf(`{ genres { id } }`)).length === 0);

    const id = await createMovie('Pushed At Once');
    // The writer answered once it heard its own push: the reader has heard it too.
    expect(await reader.findsOf(titleOf(id))).toEqual([
      VERSION_READ,
      { catalogue_versions: { _id: expect.stringMatching(/^change:\d+$/) } },
      { contents: { _id: new Types.ObjectId(id) } },
    ]);
    expect((await graphql<{ content: { title: string } }>(reader.url, titleOf(id))).data!.content.title).toBe('Pushed At Once');
    expect(await reader.findsOf(titleOf(id))).toEqual([]);
  });

  it('still reads the version every CATALOG_VERSION_CHECK_MS, so a change announced without Redis shows', async () => {
    const reader = await follower(200);
    const id = await createMovie('Renamed Quietly');
    await models.contents.collection.updateOne({ _id: new Types.ObjectId(id) }, { $set: { title: 'Renamed Without Redis' } });
    await announceChange(mongo, { contents: [id] }); // the database only: nothing is pushed

    await until(async () => (await graphql<{ content: { title: string } }>(reader.url, titleOf(id))).data!.content.title === 'Renamed Without Redis');
  });

  it('announces an import as every write is: one event that catalog processes and gateways follow', async () => {
    const reader = await follower(60_000);
    await until(async () => (await reader.findsOf(`{ genres { id } }`)).length === 0);
    const logger = createLogger('catalog-import-test', 'silent');
    const [publisher, listener, cacheRedis] = ['publisher', 'listener', 'cache'].map((label) =>
      createRedis(`import-${label}`, { url: env.REDIS_URL!, keyPrefix: '' }, logger),
    );
    await Promise.all([publisher, listener, cacheRedis].map((client) => connectRedis(client!)));
    closers.push(() => [publisher, listener, cacheRedis].forEach((client) => client!.disconnect()));
    const heard: string[] = [];
    listener!.on('message', (_channel: string, message: string) => heard.push(message));
    await listener!.subscribe(publicChangesChannel(env.REDIS_KEY_PREFIX!));
    const changes = new CatalogueChanges({
      connection: mongo,
      cache: catalogCache(cacheRedis!, logger, 60),
      feed: new CatalogueVersionFeed(publisher!, env.REDIS_KEY_PREFIX!, logger),
    });

    const seed = defaultSeed();
    await importCatalog(models, { genres: seed.genres, contents: seed.contents.slice(0, 3), episodes: [] }, (change) => changes.record(change));

    // At once, not at the reader's next check of the database a minute later.
    const { data } = await graphql<{ search: { title: string }[] }>(reader.url, `{ search(query: ${JSON.stringify(seed.contents[0]!.title)}) { title } }`);
    expect(data!.search.map((c) => c.title)).toContain(seed.contents[0]!.title);
    await until(async () => heard.length > 0);
    expect(heard).toEqual([expect.stringMatching(/^catalog \d+$/)]);
  });

  it('reads the version on every request while Redis is down, and trusts the feed again after it returns', async () => {
    const reader = await follower(60_000);
    await until(async () => (await reader.findsOf(`{ genres { id } }`)).length === 0);
    const port = redisServer.port;
    await redisServer.stop();

    const id = await createMovie('Written While Redis Was Down');
    expect(await reader.findsOf(titleOf(id))).toContainEqual(VERSION_READ);
    expect(await reader.findsOf(`{ genres { id } }`)).toEqual([VERSION_READ]);

    redisServer = await startPrivateRedis(port);
    await until(async () => (await reader.findsOf(`{ genres { id } }`)).length === 0, 30_000);
    expect((await graphql<{ content: { title: string } }>(reader.url, titleOf(id))).data!.content.title).toBe('Written While Redis Was Down');
  });
});
