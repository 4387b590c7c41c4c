import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, graphql } from '@ott/kit/testing';
import { catalogFixture } from './support/catalog-fixture';
import { BROWSE, startCatalogStack, type CatalogStack } from './support/catalog-stack';
import type { Stack } from './support/stack';

// Reading the catalogue through the gateway; its writes are in catalog-admin.e2e.test.ts.
const fixture = catalogFixture();
const byTitle = new Map(fixture.contents.map((c) => [c.title, c]));

let stack: Stack;
let memberToken: string;
let genreIds: Record<string, string>;
let browse: CatalogStack['browse'];
let browseAll: CatalogStack['browseAll'];

beforeAll(async () => {
  ({ stack, memberToken, genreIds, browse, browseAll } = await startCatalogStack('catalog_browse_e2e'));
});
afterAll(() => stack?.close());

describe('browsing the catalogue', () => {
  it('lists everything by title by default, with the total on every page', async () => {
    const page = await browse({ first: 5 });
    expect(page.totalCount).toBe(fixture.contents.length);
    expect(page.edges.map((e) => e.node.title)).toEqual(['Amélie', 'Blue Valley', 'City of Kites', 'Dark Star', 'Echo Park']);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const next = await browse({ first: 5, after: page.pageInfo.endCursor });
    expect(next.totalCount).toBe(fixture.contents.length);
    expect(next.edges[0]!.node.title).toBe('Glass Houses');
  });

  it('filters by kind, genre and release-year range, alone and together', async () => {
    const shows = await browse({ filter: { kind: 'TV_SHOW' }, first: 100 });
    expect(shows.edges.map((e) => e.node.__typename)).toEqual(['TvShow', 'TvShow', 'TvShow']);

    const drama = await browse({ filter: { genreSlug: 'drama' }, first: 100 });
    expect(drama.totalCount).toBe(fixture.contents.filter((c) => c.genreSlugs.includes('drama')).length);
    expect(drama.edges.every((e) => e.node.genres.some((g) => g.slug === 'drama'))).toBe(true);

    const eighties = await browse({ filter: { releaseYearFrom: 1983, releaseYearTo: 1985 }, first: 100 });
    const expected = fixture.contents.filter((c) => c.releaseYear !== null && c.releaseYear >= 1983 && c.releaseYear <= 1985);
    expect(eighties.edges.map((e) => e.node.title).sort()).toEqual(expected.map((c) => c.title).sort());

    const dramaShowsSince2001 = await browse({ filter: { kind: 'TV_SHOW', genreSlug: 'drama', releaseYearFrom: 2001 }, first: 100 });
    expect(dramaShowsSince2001.edges.map((e) => e.node.title)).toEqual(['Harbor Lights']);
  });

  it('sorts by release year, popularity and rating, with missing values last', async () => {
    const years = (await browse({ sort: 'RELEASE_YEAR_DESC', first: 100 })).edges.map((e) => e.node.releaseYear);
    const known = years.filter((y) => y !== null) as number[];
    expect(known).toEqual([...known].sort((a, b) => b - a));
    expect(years.slice(known.length).every((y) => y === null)).toBe(true);
    expect(years.filter((y) => y === null).length).toBeGreaterThan(0);

    const popularity = (await browse({ sort: 'POPULARITY_DESC', first: 100 })).edges.map((e) => byTitle.get(e.node.title)!.initial.popularity);
    expect(popularity).toEqual([...popularity].sort((a, b) => b - a));

    const ratings = (await browse({ sort: 'RATING_DESC', first: 100 })).edges.map((e) => byTitle.get(e.node.title)!.initial.rating);
    const rated = ratings.filter((r) => r !== null) as number[];
    expect(rated).toEqual([...rated].sort((a, b) => b - a));
    expect(ratings.slice(rated.length).every((r) => r === null)).toBe(true);
  });

  it('pages through a whole genre in every sort order without duplicates or gaps', async () => {
    for (const sort of ['TITLE', 'RELEASE_YEAR_DESC', 'POPULARITY_DESC', 'RATING_DESC']) {
      const whole = await browse({ filter: { genreSlug: 'drama' }, sort, first: 100 });
      const paged = await browseAll({ filter: { genreSlug: 'drama' }, sort }, 3);
      expect(
        paged.nodes.map((n) => n.id),
        sort,
      ).toEqual(whole.edges.map((e) => e.node.id));
      expect(new Set(paged.nodes.map((n) => n.id)).size, sort).toBe(whole.totalCount);
      expect(paged.pages, sort).toBe(Math.ceil(whole.totalCount / 3));
    }
  });

  it('rejects out-of-range page sizes, foreign or garbled cursors, unknown genres and inverted year ranges', async () => {
    const titleCursor = (await browse({ first: 1 })).pageInfo.endCursor;
    const cases: [Record<string, unknown>, string][] = [
      [{ first: 101 }, 'first'],
      [{ first: 0 }, 'first'],
      [{ after: 'not-a-cursor' }, 'after'],
      [{ sort: 'POPULARITY_DESC', after: titleCursor }, 'after'],
      [{ filter: { genreSlug: 'no-such-genre' } }, 'genreSlug'],
      [{ filter: { releaseYearFrom: 1990, releaseYearTo: 1980 } }, 'releaseYearTo'],
      [{ filter: { releaseYearFrom: -5 } }, 'releaseYearFrom'],
    ];
    for (const [variables, field] of cases) {
      const response = await stack.query(BROWSE, variables);
      expect(errorCodes(response), field).toEqual(['BAD_USER_INPUT']);
      expect(response.errors?.[0]?.message, field).toMatch(new RegExp(`^${field}:`));
    }
  });
});

describe('searching titles', () => {
  const SEARCH = `query ($query: String!, $first: Int) { search(query: $query, first: $first) { title } }`;
  const search = async (query: string, first?: number) => {
    const response = await stack.query<{ search: { title: string }[] }>(SEARCH, { query, first });
    expect(response.errors).toBeUndefined();
    return response.data!.search.map((c) => c.title);
  };

  it('ranks titles starting with the query before titles containing it', async () => {
    const titles = await search('star');
    const starts = ['Star Quest', 'Starlight Express', 'Starfall Station'];
    expect(titles.slice(0, 3).sort()).toEqual([...starts].sort());
    expect(titles.slice(3).sort()).toEqual(['Dark Star', 'Lone Star', 'Mustard Seeds', 'The Stars Above']);
    expect(await search('star', 2)).toHaveLength(2);
  });

  it('ignores case, accents and punctuation', async () => {
    expect(await search('AMELIE')).toEqual(['Amélie']);
    expect(await search('amélie')).toEqual(['Amélie']);
    expect(await search('salt pepper')).toEqual(['Salt & Pepper']);
    expect(await search('zzz')).toEqual([]);
  });

  it('rejects empty, punctuation-only and over-long queries and out-of-range sizes with BAD_USER_INPUT', async () => {
    for (const query of ['', '   ', '&&', 'x'.repeat(101)]) {
      const response = await stack.query(SEARCH, { query });
      expect(errorCodes(response), query).toEqual(['BAD_USER_INPUT']);
      expect(response.errors?.[0]?.message).toMatch(/^query:/);
    }
    for (const query of [
      `{ search(query: "star", first: 101) { id } }`,
      `{ featured(first: 0) { id } }`,
      `{ browse(first: 1) { edges { node { similar(first: 500) { id } } } } }`,
    ]) {
      const response = await stack.query(query);
      expect(errorCodes(response), query).toEqual(['BAD_USER_INPUT']);
      expect(response.errors?.[0]?.message, query).toMatch(/^first:/);
    }
  });
});

describe('similar titles, shows and genres', () => {
  it('lists titles sharing the most genres, best rated first, never the item itself', async () => {
    const id = (await browse({ filter: { kind: 'TV_SHOW', genreSlug: 'science-fiction' }, first: 1 })).edges[0]!.node.id;
    const response = await stack.query<{ content: { title: string; similar: { id: string; title: string; genres: { slug: string }[] }[] } }>(
      `query ($id: ID!) { content(id: $id) { title similar(first: 50) { id title genres { slug } } } }`,
      { id },
    );
    expect(response.errors).toBeUndefined();
    const { title, similar } = response.data!.content;
    expect(title).toBe('Starfall Station');
    expect(similar.map((s) => s.id)).not.toContain(id);
    const own = new Set(['science-fiction', 'drama']);
    const shared = similar.map((s) => s.genres.filter((g) => own.has(g.slug)).length);
    expect(shared.every((n) => n > 0)).toBe(true);
    expect(shared).toEqual([...shared].sort((a, b) => b - a));
    const expectedCount = fixture.contents.filter((c) => c.title !== title && c.genreSlugs.some((g) => own.has(g))).length;
    expect(similar).toHaveLength(expectedCount);
    const bothGenres = similar.filter((_, i) => shared[i] === 2).map((s) => byTitle.get(s.title)!.initial.rating ?? -1);
    expect(bothGenres).toEqual([...bothGenres].sort((a, b) => b - a));
  });

  it('lists a show’s seasons and episodes in order, and each episode knows its show', async () => {
    const id = (await browse({ filter: { kind: 'TV_SHOW', genreSlug: 'comedy' }, first: 1 })).edges[0]!.node.id;
    const response = await stack.query<{
      content: { title: string; seasons: { number: number; episodes: { episodeNumber: number; show: { id: string } }[] }[] };
    }>(`query ($id: ID!) { content(id: $id) { title ... on TvShow { seasons { number episodes { episodeNumber title show { id } } } } } }`, { id });
    expect(response.errors).toBeUndefined();
    const seasons = response.data!.content.seasons;
    expect(seasons.map((s) => s.number)).toEqual([1, 2]);
    expect(seasons.map((s) => s.episodes.map((e) => e.episodeNumber))).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(seasons.flatMap((s) => s.episodes).every((e) => e.show.id === id)).toBe(true);
  });

  it('resolves a member’s favourite genres through the catalog', async () => {
    const update = await stack.query<{ updateProfile: { favoriteGenres: { slug: string; name: string }[] } }>(
      `mutation ($ids: [ID!]) { updateProfile(input: { favoriteGenreIds: $ids }) { favoriteGenres { id slug name } } }`,
      { ids: [genreIds.comedy, genreIds['science-fiction']] },
      { token: memberToken },
    );
    expect(update.errors).toBeUndefined();
    expect(update.data!.updateProfile.favoriteGenres).toMatchObject([
      { slug: 'comedy', name: 'Comedy' },
      { slug: 'science-fiction', name: 'Science Fiction' },
    ]);
  });

  it('refuses favourite genre ids the catalog does not know, naming them, and keeps the old ones', async () => {
    const UPDATE = `mutation ($ids: [ID!]) { updateProfile(input: { favoriteGenreIds: $ids }) { id } }`;
    expect((await stack.query(UPDATE, { ids: [genreIds.comedy, genreIds['science-fiction']] }, { token: memberToken })).errors).toBeUndefined();
    const update = await stack.query(UPDATE, { ids: [genreIds.comedy, 'no-such-genre'] }, { token: memberToken });
    expect(errorCodes(update)).toEqual(['BAD_USER_INPUT']);
    expect(update.errors?.[0]?.message).toMatch(/^favoriteGenreIds: .*no-such-genre/);
    const me = await stack.query<{ me: { favoriteGenres: { slug: string }[] } }>(`{ me { favoriteGenres { slug } } }`, {}, { token: memberToken });
    expect(me.errors).toBeUndefined();
    expect(me.data!.me.favoriteGenres.map((g) => g.slug)).toEqual(['comedy', 'science-fiction']);
  });

  it('answers _entities for Content, Movie, TvShow, Episode and Genre, with null for a wrong kind or unknown id', async () => {
    const movie = (await browse({ filter: { kind: 'MOVIE' }, first: 1 })).edges[0]!.node;
    const show = (await browse({ filter: { kind: 'TV_SHOW' }, first: 1 })).edges[0]!.node;
    const response = await graphql<{ _entities: (Record<string, unknown> | null)[] }>(
      stack.subgraphUrls.catalog!,
      `
        query ($reps: [_Any!]!) {
          _entities(representations: $reps) {
            ... on Content {
              id
              title
            }
            ... on Genre {
              slug
            }
            ... on TvShow {
              seasons {
                number
              }
            }
          }
        }
      `,
      {
        reps: [
          { __typename: 'Content', id: movie.id },
          { __typename: 'Content', id: show.id },
          { __typename: 'Movie', id: movie.id },
          { __typename: 'TvShow', id: show.id },
          { __typename: 'Movie', id: show.id },
          { __typename: 'Content', id: '000000000000000000000000' },
          { __typename: 'Genre', id: genreIds.drama },
          { __typename: 'Genre', id: 'not-an-id' },
        ],
      },
    );
    expect(response.errors).toBeUndefined();
    const entities = response.data!._entities;
    expect(entities[0]).toEqual({ id: movie.id, title: movie.title });
    expect(entities[1]).toMatchObject({ id: show.id, title: show.title, seasons: [{ number: 1 }, { number: 2 }] });
    expect(entities[2]).toEqual({ id: movie.id, title: movie.title });
    expect(entities[3]).toMatchObject({ id: show.id });
    expect(entities.slice(4, 6)).toEqual([null, null]);
    expect(entities[6]).toEqual({ slug: 'drama' });
    expect(entities[7]).toBeNull();
  });
});
