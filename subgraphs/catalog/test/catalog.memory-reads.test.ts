import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '@ott/kit';
import { start } from '../src/index';
import type { CatalogModels } from '../src/models';
import { ask, DATABASE_PATH_TIMEOUT, NODE, NO_REDIS, startCatalogProcesses, type CatalogProcesses } from './support/memory-processes';

// Reads from the catalogue in memory, answer for answer as the database gives them;
// writes reaching it are in catalog.memory-writes.test.ts.
let processes: CatalogProcesses;
let env: NodeJS.ProcessEnv;
let reader: Service;
let database: Service;
let models: CatalogModels;
let expectSameAnswers: CatalogProcesses['expectSameAnswers'];

beforeAll(async () => {
  processes = await startCatalogProcesses('catalog_memory_reads');
  ({ env, reader, database, models, expectSameAnswers } = processes);
}, 120_000);
afterAll(() => processes?.close());

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
