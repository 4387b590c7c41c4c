import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, graphql } from '@ott/kit/testing';
import { catalogFixture, seedCatalog } from './support/catalog-fixture';
import { startStack, type Stack } from './support/stack';

const ADMIN = { email: 'catalog-admin@example.test', password: 'admin-password-1' };
const fixture = catalogFixture();
const byTitle = new Map(fixture.contents.map((c) => [c.title, c]));

const BROWSE = `query ($filter: ContentFilter, $sort: ContentSort, $first: Int, $after: String) {
  browse(filter: $filter, sort: $sort, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { __typename id title releaseYear genres { slug } } }
  }
}`;

interface Node {
  __typename: string;
  id: string;
  title: string;
  releaseYear: number | null;
  genres: { slug: string }[];
}
interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: Node }[];
}

let stack: Stack;
let adminToken: string;
let memberToken: string;
let genreIds: Record<string, string>;

async function browse(variables: Record<string, unknown>) {
  const response = await stack.query<{ browse: Page }>(BROWSE, variables);
  expect(response.errors).toBeUndefined();
  return response.data!.browse;
}

async function browseAll(variables: Record<string, unknown>, first: number) {
  const nodes: Node[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const page: Page = await browse({ ...variables, first, after });
    nodes.push(...page.edges.map((e) => e.node));
    pages += 1;
    if (!page.pageInfo.hasNextPage) return { nodes, pages, totalCount: page.totalCount };
    after = page.pageInfo.endCursor;
  }
}

beforeAll(async () => {
  stack = await startStack('catalog_e2e', ['catalog', 'users'], { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
  await seedCatalog(stack.subgraphEnvs.catalog!, fixture);
  const login = await stack.query<{ login: { accessToken: string } }>(
    `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`,
    ADMIN,
  );
  adminToken = login.data!.login.accessToken;
  const register = await stack.query<{ register: { accessToken: string } }>(`mutation ($input: RegisterInput!) { register(input: $input) { accessToken } }`, {
    input: { email: 'viewer@example.test', password: 'a long enough password', displayName: 'Viewer' },
  });
  memberToken = register.data!.register.accessToken;
  const genres = await stack.query<{ genres: { id: string; slug: string }[] }>(`{ genres { id slug } }`);
  genreIds = Object.fromEntries(genres.data!.genres.map((g) => [g.slug, g.id]));
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

describe('managing the catalogue', () => {
  const CREATE_MOVIE = `mutation ($input: MovieInput!) { createMovie(input: $input) { id title genres { slug } releaseYear runtimeMinutes director cast featured } }`;
  const CREATE_SHOW = `mutation ($input: TvShowInput!) { createTvShow(input: $input) { id title } }`;
  const ADD_EPISODE = `mutation ($showId: ID!, $input: EpisodeInput!) { addEpisode(showId: $showId, input: $input) { id seasonNumber episodeNumber show { title } } }`;
  const SET_FEATURED = `mutation ($id: ID!, $featured: Boolean!) { setFeatured(contentId: $id, featured: $featured) { id featured } }`;
  const DELETE = `mutation ($id: ID!) { deleteContent(id: $id) }`;
  const movieInput = () => ({
    title: '  A Documentary of Record ',
    genreIds: [genreIds.documentary],
    releaseYear: 2020,
    runtimeMinutes: 95,
    director: 'D. Maker',
    cast: ['One', 'Two'],
  });

  it('lets an administrator create, feature and delete a film, and every list shows the change at once', async () => {
    const before = await browse({ filter: { genreSlug: 'documentary' } });
    expect(before.totalCount).toBe(0);
    const featuredBefore = await stack.query<{ featured: { id: string }[] }>(`{ featured(first: 50) { id } }`);

    const created = await stack.query<{ createMovie: { id: string } }>(CREATE_MOVIE, { input: movieInput() }, { token: adminToken });
    expect(created.errors).toBeUndefined();
    expect(created.data!.createMovie).toMatchObject({
      title: 'A Documentary of Record',
      genres: [{ slug: 'documentary' }],
      releaseYear: 2020,
      cast: ['One', 'Two'],
      featured: false,
    });
    const id = created.data!.createMovie.id;
    expect((await browse({ filter: { genreSlug: 'documentary' } })).edges.map((e) => e.node.id)).toEqual([id]);

    const featured = await stack.query(SET_FEATURED, { id, featured: true }, { token: adminToken });
    expect(featured.data).toEqual({ setFeatured: { id, featured: true } });
    const featuredAfter = await stack.query<{ featured: { id: string }[] }>(`{ featured(first: 50) { id } }`);
    expect(featuredAfter.data!.featured).toHaveLength(featuredBefore.data!.featured.length + 1);
    expect(featuredAfter.data!.featured.map((f) => f.id)).toContain(id);

    expect((await stack.query(DELETE, { id }, { token: adminToken })).data).toEqual({ deleteContent: true });
    expect((await browse({ filter: { genreSlug: 'documentary' } })).totalCount).toBe(0);
    expect((await stack.query(`query ($id: ID!) { content(id: $id) { id } }`, { id })).data).toEqual({ content: null });
    expect(errorCodes(await stack.query(DELETE, { id }, { token: adminToken }))).toEqual(['NOT_FOUND']);
  });

  it('lets an administrator create a show, add episodes, and remove it while its episodes still resolve by reference', async () => {
    const show = await stack.query<{ createTvShow: { id: string } }>(
      CREATE_SHOW,
      { input: { title: 'Made for Testing', genreIds: [genreIds.documentary] } },
      { token: adminToken },
    );
    expect(show.errors).toBeUndefined();
    const showId = show.data!.createTvShow.id;
    const episode = await stack.query<{ addEpisode: { id: string } }>(
      ADD_EPISODE,
      { showId, input: { seasonNumber: 1, episodeNumber: 1, title: 'Pilot' } },
      { token: adminToken },
    );
    expect(episode.data?.addEpisode).toMatchObject({ seasonNumber: 1, episodeNumber: 1, show: { title: 'Made for Testing' } });

    const again = await stack.query(ADD_EPISODE, { showId, input: { seasonNumber: 1, episodeNumber: 1, title: 'Pilot again' } }, { token: adminToken });
    expect(errorCodes(again)).toEqual(['BAD_USER_INPUT']);
    expect(again.errors?.[0]?.message).toMatch(/^episodeNumber:/);

    const racing = await Promise.all(
      [1, 2, 3, 4].map((n) => stack.query(ADD_EPISODE, { showId, input: { seasonNumber: 2, episodeNumber: 1, title: `Race ${n}` } }, { token: adminToken })),
    );
    expect(racing.filter((r) => !r.errors)).toHaveLength(1);

    expect((await stack.query(DELETE, { id: showId }, { token: adminToken })).data).toEqual({ deleteContent: true });
    const kept = await graphql<{ _entities: unknown[] }>(
      stack.subgraphUrls.catalog!,
      `
        query ($reps: [_Any!]!) {
          _entities(representations: $reps) {
            ... on Episode {
              id
              show {
                available
              }
            }
          }
        }
      `,
      { reps: [{ __typename: 'Episode', id: episode.data!.addEpisode.id }] },
    );
    expect(kept.data).toEqual({ _entities: [{ id: episode.data!.addEpisode.id, show: { available: false } }] });
  });

  it('validates input and names the field, storing nothing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...movieInput(), title: '   ' }, 'title'],
      [{ ...movieInput(), genreIds: ['000000000000000000000000'] }, 'genreIds'],
      [{ ...movieInput(), releaseYear: 1500 }, 'releaseYear'],
      [{ ...movieInput(), runtimeMinutes: -3 }, 'runtimeMinutes'],
      [{ ...movieInput(), posterUrl: 'javascript:alert(1)' }, 'posterUrl'],
      [{ ...movieInput(), title: 'x'.repeat(201) }, 'title'],
    ];
    for (const [input, field] of cases) {
      const response = await stack.query(CREATE_MOVIE, { input }, { token: adminToken });
      expect(errorCodes(response), field).toEqual(['BAD_USER_INPUT']);
      expect(response.errors?.[0]?.message, field).toMatch(new RegExp(`^${field}:`));
    }
    const show = (await browse({ filter: { kind: 'TV_SHOW' }, first: 1 })).edges[0]!.node;
    const badEpisode = await stack.query(ADD_EPISODE, { showId: show.id, input: { seasonNumber: 0, episodeNumber: 1, title: 'x' } }, { token: adminToken });
    expect(badEpisode.errors?.[0]?.message).toMatch(/^seasonNumber:/);
    const movie = (await browse({ filter: { kind: 'MOVIE' }, first: 1 })).edges[0]!.node;
    const notAShow = await stack.query(ADD_EPISODE, { showId: movie.id, input: { seasonNumber: 1, episodeNumber: 1, title: 'x' } }, { token: adminToken });
    expect(errorCodes(notAShow)).toEqual(['NOT_FOUND']);
    expect(errorCodes(await stack.query(SET_FEATURED, { id: 'nope', featured: true }, { token: adminToken }))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await stack.query(DELETE, { id: '000000000000000000000000' }, { token: adminToken }))).toEqual(['NOT_FOUND']);
    expect((await browse({ filter: { genreSlug: 'documentary' } })).totalCount).toBe(0);
  });

  it('forbids every write to members and asks anonymous callers to sign in', async () => {
    const show = (await browse({ filter: { kind: 'TV_SHOW' }, first: 1 })).edges[0]!.node;
    const writes: [string, Record<string, unknown>][] = [
      [CREATE_MOVIE, { input: movieInput() }],
      [CREATE_SHOW, { input: { title: 'Nope', genreIds: [] } }],
      [ADD_EPISODE, { showId: show.id, input: { seasonNumber: 9, episodeNumber: 9, title: 'Nope' } }],
      [SET_FEATURED, { id: show.id, featured: true }],
      [DELETE, { id: show.id }],
    ];
    for (const [mutation, variables] of writes) {
      expect(errorCodes(await stack.query(mutation, variables, { token: memberToken })), mutation).toEqual(['FORBIDDEN']);
      expect(errorCodes(await stack.query(mutation, variables)), mutation).toEqual(['UNAUTHENTICATED']);
    }
    expect((await browse({ filter: { genreSlug: 'documentary' } })).totalCount).toBe(0);
    expect((await stack.query(`query ($id: ID!) { content(id: $id) { id featured } }`, { id: show.id })).data).toEqual({
      content: { id: show.id, featured: false },
    });
  });
});

describe('cache hints', () => {
  it('marks public catalogue reads cacheable through the gateway, and writes not', async () => {
    const read = await stack.query(`{ genres { name } browse(first: 2) { edges { node { title genres { name } } } } }`);
    expect(read.headers.get('cache-control')).toBe('max-age=60, public');
    const write = await stack.query(`mutation { deleteContent(id: "000000000000000000000000") }`, {}, { token: adminToken });
    expect(write.headers.get('cache-control')).toBe('no-store');
  });
});
