import mongoose, { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, createLogger, createRedis, type RunningServer, type Service, type RedisClient } from '@ott/kit';
import { graphql, testAccessToken, testEnv, uniqueTag } from '@ott/kit/testing';
import { announceChange, CHANGE_RING_SIZE } from '../src/catalogue/catalogue.version';
import { catalogConfig } from '../src/config';
import { defaultSeed, importCatalog } from '../src/import/catalog.import';
import { start } from '../src/index';
import { createModels, type CatalogModels } from '../src/models';
import { createServer } from '../src/server';
import { until } from './support/until';

// Three catalog processes over one database: `writer` with Redis (it consumes rating
// summaries), `reader` without Redis (its only news of others' writes is the database), and
// `database`, which keeps nothing in memory: the reference every answer is compared with.
const NO_REDIS = 'redis://127.0.0.1:1';
/** The reference process scans the collection for every query (seconds per request on a busy machine). */
const DATABASE_PATH_TIMEOUT = 180_000;
const admin = testAccessToken({ id: new Types.ObjectId().toHexString(), role: 'ADMIN' });

let env: NodeJS.ProcessEnv;
let writer: Service;
let reader: Service;
let database: Service;
let mongo: mongoose.Connection;
let models: CatalogModels;
let events: RedisClient;

const NODE = `id title kind: __typename releaseYear available featured genres { id slug name } ... on Movie { director runtimeMinutes cast } ... on TvShow { seasons { number episodes { id title episodeNumber } } }`;

async function ask<T = Record<string, unknown>>(service: Service, query: string, variables: Record<string, unknown> = {}, token?: string) {
  const response = await graphql<T>(service.url, query, variables, { token });
  return { data: response.data, errors: response.errors?.map((e) => ({ message: e.message, code: e.extensions?.code, path: e.path })) };
}

/** The same operation from a process answering from memory and from one answering from the database. */
async function expectSameAnswers(query: string, variables: Record<string, unknown> = {}) {
  const [fromMemory, fromDatabase] = await Promise.all([ask(reader, query, variables), ask(database, query, variables)]);
  expect(fromMemory).toEqual(fromDatabase);
  return fromMemory;
}

beforeAll(async () => {
  env = testEnv(uniqueTag('catalog_memory'));
  const config = catalogConfig(env);
  // Started on an empty database: the import below is news to all of them.
  writer = await start(env);
  reader = await start({ ...env, REDIS_URL: NO_REDIS });
  database = await start({ ...env, REDIS_URL: NO_REDIS, CATALOG_MEMORY_MAX_DOCUMENTS: '0' });
  mongo = await mongoose.createConnection(config.MONGODB_URL, { dbName: config.MONGODB_DB, autoIndex: false, autoCreate: false }).asPromise();
  models = createModels(mongo);
  await importCatalog(models, defaultSeed());
  events = createRedis('catalog-memory-test', { url: config.REDIS_URL, keyPrefix: '' }, createLogger('catalog-memory-test', 'silent'));
  await connectRedis(events);
}, 120_000);
afterAll(async () => {
  events?.disconnect();
  await Promise.all([writer?.close(), reader?.close(), database?.close()]);
  await mongo?.close();
});

describe('the catalogue in memory', () => {
  it('sees an import that ran after the process started, on its next request', async () => {
    const { data } = await ask<{ browse: { totalCount: number } }>(reader, `{ browse(first: 1) { totalCount } }`);
    expect(data!.browse.totalCount).toBe(3_236);
  });

  it(
    'pages through browse in every sort, with and without filters, exactly as the database does',
    async () => {
      const filters = [null, { genreSlug: 'drama', releaseYearFrom: 1990, releaseYearTo: 2005 }, { kind: 'TV_SHOW' }];
      const PAGE = `query ($sort: ContentSort, $a: ContentFilter, $b: ContentFilter, $c: ContentFilter, $afterA: String, $afterB: String, $afterC: String) {
      a: browse(sort: $sort, filter: $a, first: 30, after: $afterA) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${NODE} } } }
      b: browse(sort: $sort, filter: $b, first: 30, after: $afterB) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${NODE} } } }
      c: browse(sort: $sort, filter: $c, first: 30, after: $afterC) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${NODE} } } } }`;
      type Pages = Record<'a' | 'b' | 'c', { totalCount: number; pageInfo: { endCursor: string | null } }>;
      for (const sort of ['TITLE', 'RELEASE_YEAR_DESC', 'POPULARITY_DESC', 'RATING_DESC']) {
        const first = await expectSameAnswers(PAGE, { sort, a: filters[0], b: filters[1], c: filters[2] });
        const pages = first.data as unknown as Pages;
        expect(pages.a.totalCount).toBeGreaterThan(pages.b.totalCount);
        await expectSameAnswers(PAGE, {
          sort,
          a: filters[0],
          b: filters[1],
          c: filters[2],
          afterA: pages.a.pageInfo.endCursor,
          afterB: pages.b.pageInfo.endCursor,
          afterC: pages.c.pageInfo.endCursor,
        });
      }
    },
    DATABASE_PATH_TIMEOUT,
  );

  it('refuses the same cursors and filters as the database, with the same errors', async () => {
    const { data } = await ask<{ browse: { pageInfo: { endCursor: string } } }>(reader, `{ browse(sort: TITLE, first: 2) { pageInfo { endCursor } } }`);
    const BAD = `query ($after: String, $filter: ContentFilter) { browse(sort: POPULARITY_DESC, after: $after, filter: $filter) { totalCount } }`;
    for (const variables of [
      { after: data!.browse.pageInfo.endCursor },
      { after: 'not-a-cursor' },
      { filter: { genreSlug: 'no-such-genre' } },
      { filter: { releaseYearFrom: 2000, releaseYearTo: 1990 } },
    ]) {
      const answer = await expectSameAnswers(BAD, variables);
      expect(answer.errors?.[0]?.code).toBe('BAD_USER_INPUT');
    }
  });

  it(
    'answers search, featured, genres, similar titles and seasons exactly as the database does',
    async () => {
      const shows = await models.contents.find({ kind: 'TV_SHOW' }, { _id: 1 }).limit(3).lean();
      const films = await models.contents.find({ kind: 'MOVIE' }, { _id: 1 }).sort({ popularity: -1 }).limit(3).lean();
      const ids = [...shows, ...films].map((doc) => String(doc._id));
      const READS = `{
      star: search(query: "star", first: 25) { id title } the: search(query: "The", first: 100) { id }
      rare: search(query: "zzqx") { id } accents: search(query: "amélie") { id title }
      featured(first: 20) { id title } genres { id slug name }
      ${ids.map((_, i) => `t${i}: content(id: "${ids[i]}") { ${NODE} similar(first: 7) { id title } }`).join('\n')} }`;
      const answer = await expectSameAnswers(READS);
      expect(answer.errors).toBeUndefined();
      expect((answer.data as { star: unknown[] }).star).toHaveLength(25);
      expect((answer.data as { t0: { seasons: unknown[]; similar: unknown[] } }).t0).toMatchObject({
        seasons: expect.arrayContaining([expect.anything()]),
        similar: expect.arrayContaining([expect.anything()]),
      });
    },
    DATABASE_PATH_TIMEOUT,
  );

  it('resolves 50 content and 50 episode references exactly as the database does', async () => {
    const contents = await models.contents.find({}, { kind: 1 }).sort({ _id: -1 }).limit(50).lean();
    const episodes = await models.episodes.find({}, { _id: 1 }).limit(50).lean();
    const reps = [
      ...contents.map((doc, i) => ({ __typename: i % 3 === 0 ? 'Content' : doc.kind === 'MOVIE' ? 'Movie' : 'TvShow', id: String(doc._id) })),
      { __typename: 'Movie', id: String(shownKind(contents, 'TV_SHOW')) },
      { __typename: 'Content', id: new Types.ObjectId().toHexString() },
      ...episodes.map((doc) => ({ __typename: 'Episode', id: String(doc._id) })),
    ];
    const ENTITIES = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Content { ${NODE} } ... on Episode { id title seasonNumber show { id title } } } }`;
    const answer = await expectSameAnswers(ENTITIES, { reps });
    const found = (answer.data as { _entities: unknown[] })._entities;
    expect(found.filter((entity) => entity === null)).toHaveLength(2);
  });
});

describe('writes reach the catalogue in memory of every process, without Redis', () => {
  it('shows a created, featured and then removed title on the next read of another process', async () => {
    const created = await ask<{ createMovie: { id: string } }>(
      writer,
      `mutation { createMovie(input: { title: "Zyzzyva Nights", genreIds: [], releaseYear: 2024 }) { id } }`,
      {},
      admin,
    );
    const id = created.data!.createMovie.id;
    const READ = `query ($id: ID!) { content(id: $id) { id title available } search(query: "zyzzyva") { id } featured(first: 100) { id }
      browse(sort: RELEASE_YEAR_DESC, first: 100) { totalCount edges { node { id } } } _entities(representations: [{ __typename: "Content", id: $id }]) { ... on Content { id available } } }`;
    type Read = {
      content: { id: string } | null;
      search: { id: string }[];
      featured: { id: string }[];
      browse: { totalCount: number; edges: { node: { id: string } }[] };
      _entities: { available: boolean }[];
    };
    const afterCreate = await ask<Read>(reader, READ, { id });
    expect(afterCreate.data!.content).toEqual({ id, title: 'Zyzzyva Nights', available: true });
    expect(afterCreate.data!.search.map((c) => c.id)).toEqual([id]);
    expect(afterCreate.data!.browse.edges.map((e) => e.node.id)).toContain(id);

    await ask(writer, `mutation ($id: ID!) { setFeatured(contentId: $id, featured: true) { id } }`, { id }, admin);
    expect((await ask<Read>(reader, READ, { id })).data!.featured.map((c) => c.id)).toContain(id);

    await ask(writer, `mutation ($id: ID!) { deleteContent(id: $id) }`, { id }, admin);
    const afterRemoval = await ask<Read>(reader, READ, { id });
    expect(afterRemoval.data!.content).toBeNull();
    expect(afterRemoval.data!.search).toEqual([]);
    expect(afterRemoval.data!.featured.map((c) => c.id)).not.toContain(id);
    expect(afterRemoval.data!.browse.totalCount).toBe(afterCreate.data!.browse.totalCount - 1);
    expect(afterRemoval.data!._entities).toEqual([{ id, available: false }]);
    expect(await ask(reader, READ, { id })).toEqual(await ask(database, READ, { id }));
  });

  it('ranks similar titles of titles that share their genres, each without itself, as the database does', async () => {
    // Titles with the same genres share one ranking in memory; each must still leave itself out.
    const docs = await models.contents.find({ deletedAt: null }, { genreIds: 1, ratingKey: 1, popularity: 1 }).lean();
    const byGenres = new Map<string, typeof docs>();
    for (const doc of docs) {
      const key = [...new Set(doc.genreIds.map(String))].sort().join(',');
      if (key) byGenres.set(key, [...(byGenres.get(key) ?? []), doc]);
    }
    // The best-ranked of each crowded genre set: the likeliest to appear in each other's lists.
    const rank = (a: (typeof docs)[number], b: (typeof docs)[number]) =>
      b.ratingKey - a.ratingKey || b.popularity - a.popularity || String(a._id).localeCompare(String(b._id));
    const ids = [...byGenres.values()]
      .filter((group) => group.length >= 3)
      .slice(0, 12)
      .flatMap((group) =>
        [...group]
          .sort(rank)
          .slice(0, 3)
          .map((doc) => String(doc._id)),
      );
    expect(ids.length).toBeGreaterThanOrEqual(12);
    const query = `{ ${ids.map((id, i) => `t${i}: content(id: "${id}") { id s1: similar(first: 1) { id } s5: similar(first: 5) { id } }`).join(' ')} }`;
    const answer = await expectSameAnswers(query);
    for (const [i, id] of ids.entries()) expect((answer.data as Record<string, { s5: { id: string }[] }>)[`t${i}`]!.s5.map((c) => c.id)).not.toContain(id);
  });

  it('lists an episode added by another process in its show’s seasons', async () => {
    const show = await models.contents.findOne({ kind: 'TV_SHOW', deletedAt: null }).lean();
    const showId = String(show!._id);
    const added = await ask<{ addEpisode: { id: string } }>(
      writer,
      `mutation ($showId: ID!) { addEpisode(showId: $showId, input: { seasonNumber: 40, episodeNumber: 1, title: "Late Addition" }) { id } }`,
      { showId },
      admin,
    );
    expect(added.errors).toBeUndefined();
    const SEASONS = `query ($id: ID!, $reps: [_Any!]!) { content(id: $id) { ... on TvShow { seasons { number episodes { id title } } } } _entities(representations: $reps) { ... on Episode { id title } } }`;
    const variables = { id: showId, reps: [{ __typename: 'Episode', id: added.data!.addEpisode.id }] };
    const answer = await ask<{ content: { seasons: { number: number; episodes: { title: string }[] }[] } }>(reader, SEASONS, variables);
    expect(answer.data!.content.seasons.at(-1)).toEqual({ number: 40, episodes: [{ id: added.data!.addEpisode.id, title: 'Late Addition' }] });
    expect(answer).toEqual(await ask(database, SEASONS, variables));
  });

  it('sorts by a rating summary another process consumed from the ratings stream', async () => {
    const least = await models.contents.findOne({ deletedAt: null }).sort({ ratingKey: 1, _id: 1 }).lean();
    const id = String(least!._id);
    await events.xadd(catalogConfig(env).ratingEventsStream, '*', 'contentId', id, 'sum', '100', 'count', '10');
    const top = async () =>
      (await ask<{ browse: { edges: { node: { id: string } }[] } }>(reader, `{ browse(sort: RATING_DESC, first: 1) { edges { node { id } } } }`)).data!.browse
        .edges[0]!.node.id;
    await until(async () => (await top()) === id);
    await expectSameAnswers(`{ browse(sort: RATING_DESC, first: 20) { edges { cursor node { id } } } }`);
  });

  it('keeps the newest rating summary of a title when an older one arrives after it', async () => {
    const [first, marker] = await models.contents.find({ deletedAt: null }).sort({ ratingKey: 1, _id: 1 }).skip(1).limit(2).lean();
    const [id, markerId] = [String(first!._id), String(marker!._id)];
    const stream = catalogConfig(env).ratingEventsStream;
    const ratingOf = async (contentId: string) => (await models.contents.findById(contentId).lean())!.rating;
    await events.xadd(stream, '*', 'contentId', id, 'sum', '90', 'count', '10', 'version', '5');
    await until(async () => (await ratingOf(id)) === 9);

    // Version 4 was made before version 5 (two ratings processes published them out of order).
    await events.xadd(stream, '*', 'contentId', id, 'sum', '10', 'count', '10', 'version', '4');
    await events.xadd(stream, '*', 'contentId', markerId, 'sum', '30', 'count', '10', 'version', '1');
    await until(async () => (await ratingOf(markerId)) === 3);
    expect(await ratingOf(id)).toBe(9);

    await events.xadd(stream, '*', 'contentId', id, 'sum', '70', 'count', '10', 'version', '6');
    await until(async () => (await ratingOf(id)) === 7);
  });

  it('sorts titles in the database’s string order, characters beyond U+FFFF included', async () => {
    // U+FA0E sorts before U+20000 by code point (and in UTF-8), after it by UTF-16 unit.
    for (const title of ['\u{20000} Zz', '\u{FA0E} Zz', 'Zzzzz']) {
      expect(
        (await ask(writer, `mutation ($title: String!) { createMovie(input: { title: $title, genreIds: [] }) { id } }`, { title }, admin)).errors,
      ).toBeUndefined();
    }
    const after = Buffer.from(JSON.stringify(['TITLE', 'zzzz', '000000000000000000000000'])).toString('base64url');
    const answer = await expectSameAnswers(`query ($after: String) { browse(sort: TITLE, first: 10, after: $after) { edges { cursor node { title } } } }`, {
      after,
    });
    expect((answer.data as { browse: { edges: { node: { title: string } }[] } }).browse.edges.map((e) => e.node.title)).toEqual([
      'Zzzzz',
      '\u{FA0E} Zz',
      '\u{20000} Zz',
    ]);
  });

  it('loads the whole catalogue again when it missed more changes than the change ring holds', async () => {
    const titles = await models.contents
      .find({ deletedAt: null, featured: false }, { _id: 1 })
      .limit(CHANGE_RING_SIZE + 2)
      .lean();
    for (const { _id } of titles) await ask(writer, `mutation ($id: ID!) { setFeatured(contentId: $id, featured: true) { id } }`, { id: String(_id) }, admin);
    const answer = await expectSameAnswers(`{ featured(first: 100) { id } }`);
    expect((answer.data as { featured: { id: string }[] }).featured.map((c) => c.id)).toEqual(expect.arrayContaining(titles.map((t) => String(t._id))));
  });

  it('sees a change made by hand once it is announced as a change of everything', async () => {
    const doc = await models.contents.findOne({ kind: 'MOVIE', deletedAt: null }).sort({ popularity: -1 }).lean();
    await models.contents.collection.updateOne({ _id: doc!._id }, { $set: { title: 'Renamed By Hand' } });
    await announceChange(mongo, { all: true });
    const answer = await ask<{ content: { title: string } }>(reader, `query ($id: ID!) { content(id: $id) { title } }`, { id: String(doc!._id) });
    expect(answer.data!.content.title).toBe('Renamed By Hand');
  });
});

describe('database work per request', () => {
  let monitored: mongoose.Connection;
  let server: RunningServer;
  let redis: RedisClient;
  const commands: mongoose.mongo.CommandStartedEvent[] = [];
  const filtersOf = async (request: () => Promise<unknown>) => {
    commands.length = 0;
    await request();
    return commands.filter((c) => c.commandName === 'find').map((c) => ({ [String(c.command.find)]: c.command.filter as unknown }));
  };

  beforeAll(async () => {
    const config = catalogConfig({ ...env, REDIS_URL: NO_REDIS });
    const logger = createLogger('catalog', 'silent');
    monitored = await mongoose
      .createConnection(config.MONGODB_URL, { dbName: config.MONGODB_DB, monitorCommands: true, autoIndex: false, autoCreate: false })
      .asPromise();
    redis = createRedis('catalog', { url: NO_REDIS, keyPrefix: '' }, logger);
    const service = await createServer({ config, mongo: monitored, redis, events: redis, logger });
    await service.catalogue.start();
    server = await service.app.listen('127.0.0.1', 0);
    monitored.getClient().on('commandStarted', (event: mongoose.mongo.CommandStartedEvent) => commands.push(event));
  });
  afterAll(async () => {
    await server?.close();
    redis?.disconnect();
    await monitored?.close();
  });

  it('answers browse, search, featured, similar titles, seasons and references with one version check and no catalogue query', async () => {
    const docs = await models.contents.find({}, { _id: 1 }).limit(50).lean();
    const reps = docs.map((doc) => ({ __typename: 'Content', id: String(doc._id) }));
    const QUERY = `query ($reps: [_Any!]!) { browse(sort: RATING_DESC, filter: { genreSlug: "drama" }, first: 40) { totalCount edges { node { ${NODE} similar(first: 3) { id } } } }
      search(query: "star") { id } featured { id } genres { id } _entities(representations: $reps) { ... on Content { id title } } }`;
    const filters = await filtersOf(() => graphql(server.url, QUERY, { reps }));
    expect(filters).toEqual([{ catalogue_versions: { _id: 'catalogue' } }]);
  });

  it('re-reads only what another process changed, each by its bare _id', async () => {
    const movie = await models.contents.findOne({ kind: 'MOVIE', deletedAt: null }, { _id: 1 }).lean();
    const id = String(movie!._id);
    await ask(writer, `mutation ($id: ID!) { setFeatured(contentId: $id, featured: false) { id } }`, { id }, admin);
    const filters = await filtersOf(() =>
      graphql(
        server.url,
        `
          {
            featured {
              id
            }
          }
        `,
      ),
    );
    expect(filters).toEqual([
      { catalogue_versions: { _id: 'catalogue' } },
      { catalogue_versions: { _id: expect.stringMatching(/^change:\d+$/) } },
      { contents: { _id: new Types.ObjectId(id) } },
    ]);
  });
});

describe('a catalogue larger than CATALOG_MEMORY_MAX_DOCUMENTS', () => {
  it('is read from the database, answering as before', async () => {
    const small = await start({ ...env, REDIS_URL: NO_REDIS, CATALOG_MEMORY_MAX_DOCUMENTS: '100' });
    try {
      const QUERY = `{ browse(sort: TITLE, first: 5) { totalCount edges { cursor node { id title } } } featured(first: 3) { id } }`;
      expect(await ask(small, QUERY)).toEqual(await ask(database, QUERY));
    } finally {
      await small.close();
    }
  });
});

function shownKind(docs: { _id: unknown; kind?: string }[], kind: string) {
  return docs.find((doc) => doc.kind === kind)?._id;
}
