import mongoose, { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createRedis, type RunningServer, type Service, type RedisClient } from '@ott/kit';
import { graphql } from '@ott/kit/testing';
import { announceChange, CHANGE_RING_SIZE } from '../src/catalogue/catalogue.version';
import { catalogConfig } from '../src/config';
import type { CatalogModels } from '../src/models';
import { createServer } from '../src/server';
import { admin, ask, NODE, NO_REDIS, startCatalogProcesses, type CatalogProcesses } from './support/memory-processes';
import { until } from './support/until';

// Writes by one process reaching the catalogue in memory of another, and the database work a
// request costs; plain reads are in catalog.memory-reads.test.ts.
let processes: CatalogProcesses;
let env: NodeJS.ProcessEnv;
let writer: Service;
let reader: Service;
let database: Service;
let mongo: mongoose.Connection;
let models: CatalogModels;
let events: RedisClient;
let expectSameAnswers: CatalogProcesses['expectSameAnswers'];

beforeAll(async () => {
  processes = await startCatalogProcesses('catalog_memory_writes');
  ({ env, writer, reader, database, mongo, models, events, expectSameAnswers } = processes);
}, 120_000);
afterAll(() => processes?.close());

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
