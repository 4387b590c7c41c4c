import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, graphql } from '@ott/kit/testing';
import { startCatalogStack, type CatalogStack } from './support/catalog-stack';
import type { Stack } from './support/stack';

// An administrator's writes to the catalogue, who may make them, and how cacheable answers are.
let stack: Stack;
let adminToken: string;
let memberToken: string;
let genreIds: Record<string, string>;
let browse: CatalogStack['browse'];

beforeAll(async () => {
  ({ stack, adminToken, memberToken, genreIds, browse } = await startCatalogStack('catalog_admin_e2e'));
});
afterAll(() => stack?.close());

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
