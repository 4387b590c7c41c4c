import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, createLogger, createRedis } from '@ott/kit';
import { errorCodes, graphql, uniqueTag } from '@ott/kit/testing';
import { catalogFixture, createMovie, seedCatalog } from './support/catalog-fixture';
import { startStack, type Stack } from './support/stack';

const ADMIN = { email: 'removal-admin@example.test', password: 'admin-password-1' };
const fixture = catalogFixture();
const tag = uniqueTag('removal');
/** Where catalog announces removals; ratings reads it directly. */
const CATALOG_STREAM = `t:${tag}:events:content-deleted`;
/**
 * my-list reads its own copy, which the test fills (`deliverToMyList`): so the window before
 * my-list applies an event can be observed instead of raced.
 */
const MY_LIST_STREAM = `t:${tag}:events:content-deleted-for-my-list`;

const DELETE = `mutation ($id: ID!) { deleteContent(id: $id) }`;
const ADD = `mutation ($id: ID!) { addToMyList(contentId: $id) { id } }`;
const RATE = `mutation ($id: ID!, $score: Int!) { rateContent(contentId: $id, score: $score) { id } }`;
const LIST = `{ me {
  myList(first: 50) { totalCount edges { node { content { __typename id title available } } } }
  myListStats { total movies tvShows }
} }`;

interface Member {
  token: string;
}
interface ListView {
  myList: { totalCount: number; edges: { node: { content: { __typename: string; id: string; title: string; available: boolean } } }[] };
  myListStats: { total: number; movies: number; tvShows: number };
}

let stack: Stack;
let redis: ReturnType<typeof createRedis>;
let adminToken: string;
let registered = 0;
let relayedUpTo = '0';

async function signUp(): Promise<Member> {
  registered += 1;
  const response = await stack.query<{ register: { accessToken: string } }>(`mutation ($input: RegisterInput!) { register(input: $input) { accessToken } }`, {
    input: { email: `remover${registered}@example.test`, password: 'a long enough password', displayName: `Member ${registered}` },
  });
  expect(response.errors).toBeUndefined();
  return { token: response.data!.register.accessToken };
}

async function remove(id: string) {
  expect((await stack.query(DELETE, { id }, { token: adminToken })).data).toEqual({ deleteContent: true });
}

async function list(member: Member): Promise<ListView> {
  const response = await stack.query<{ me: ListView }>(LIST, {}, { token: member.token });
  expect(response.errors).toBeUndefined();
  return response.data!.me;
}

async function idByTitle(title: string): Promise<string> {
  const response = await stack.query<{ search: { id: string; title: string }[] }>(`query ($q: String!) { search(query: $q, first: 100) { id title } }`, {
    q: title,
  });
  return response.data!.search.find((c) => c.title === title)!.id;
}

/** Passes every removal catalog announced since the last call on to my-list's stream. */
async function deliverToMyList(): Promise<void> {
  const entries = await redis.xrange(CATALOG_STREAM, `(${relayedUpTo}`, '+');
  for (const [id, fields] of entries) {
    await redis.xadd(MY_LIST_STREAM, '*', ...fields);
    relayedUpTo = id;
  }
}

/** Waits (at most ~10 s) until a consumer group has acknowledged everything in its stream. */
async function handled(stream: string, group: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const [last] = await redis.xrevrange(stream, '+', '-', 'COUNT', 1);
    const groups = (await redis.xinfo('GROUPS', stream).catch(() => [])) as (string | number)[][];
    const info = groups.map((fields) => Object.fromEntries(fields.flatMap((v, i) => (i % 2 === 0 ? [[v, fields[i + 1]]] : [])))).find((g) => g.name === group);
    if (last && info && info['last-delivered-id'] === last[0] && Number(info.pending) === 0) return;
    await sleep(100);
  }
  throw new Error(`${group} did not handle ${stream} within 10 s`);
}

beforeAll(async () => {
  // Catalog before my-list and ratings: they learn its URL and ask it whether titles exist.
  stack = await startStack(
    'removal_e2e',
    ['users', 'catalog', 'my-list', 'ratings'],
    {
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      CONTENT_DELETED_STREAM: CATALOG_STREAM,
      RATING_EVENTS_STREAM: `t:${tag}:events:rating-summaries`,
    },
    { 'my-list': { CONTENT_DELETED_STREAM: MY_LIST_STREAM } },
  );
  await seedCatalog(stack.subgraphEnvs.catalog!, fixture);
  redis = createRedis('removal-test', { url: stack.subgraphEnvs.catalog!.REDIS_URL!, keyPrefix: '' }, createLogger('removal-test', 'silent'));
  await connectRedis(redis);
  const login = await stack.query<{ login: { accessToken: string } }>(
    `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`,
    ADMIN,
  );
  adminToken = login.data!.login.accessToken;
});
afterAll(async () => {
  redis?.disconnect();
  await stack?.close();
});

describe('removing a title members saved and rated', () => {
  it('keeps a saved title rendering, unavailable, until my-list applies the removal, then drops it and the stats are exact', async () => {
    const [alice, bob] = [await signUp(), await signUp()];
    const removed = await createMovie(stack, adminToken, 'Soon Gone');
    const kept = await createMovie(stack, adminToken, 'Here to Stay');
    for (const id of [kept, removed]) expect((await stack.query(ADD, { id }, { token: alice.token })).errors).toBeUndefined();
    expect((await stack.query(ADD, { id: removed }, { token: bob.token })).errors).toBeUndefined();
    expect((await list(alice)).myListStats).toEqual({ total: 2, movies: 2, tvShows: 0 });

    await remove(removed);
    const during = await list(alice);
    expect(during.myList.edges.map((e) => e.node.content)).toEqual([
      { __typename: 'Movie', id: removed, title: 'Soon Gone', available: false },
      { __typename: 'Movie', id: kept, title: 'Here to Stay', available: true },
    ]);

    await deliverToMyList();
    await handled(MY_LIST_STREAM, 'my-list');
    const after = await list(alice);
    expect(after.myList.totalCount).toBe(1);
    expect(after.myList.edges.map((e) => e.node.content.id)).toEqual([kept]);
    expect(after.myListStats).toEqual({ total: 1, movies: 1, tvShows: 0 });
    expect(await list(bob)).toEqual({ myList: { totalCount: 0, edges: [] }, myListStats: { total: 0, movies: 0, tvShows: 0 } });
  });

  it('refuses to add or rate a removed title with CONTENT_NOT_FOUND, even while its existence was cached', async () => {
    const [alice, bob] = [await signUp(), await signUp()];
    const title = await createMovie(stack, adminToken, 'Cached Then Gone');
    // Alice's writes leave "this title exists" in my-list's and ratings' caches.
    expect((await stack.query(ADD, { id: title }, { token: alice.token })).errors).toBeUndefined();
    expect((await stack.query(RATE, { id: title, score: 7 }, { token: alice.token })).errors).toBeUndefined();

    await remove(title);
    await deliverToMyList();
    await Promise.all([handled(MY_LIST_STREAM, 'my-list'), handled(CATALOG_STREAM, 'ratings')]);
    expect(errorCodes(await stack.query(ADD, { id: title }, { token: bob.token }))).toEqual(['CONTENT_NOT_FOUND']);
    expect(errorCodes(await stack.query(RATE, { id: title, score: 4 }, { token: bob.token }))).toEqual(['CONTENT_NOT_FOUND']);

    // Ratings are history: Alice's stays, and its title still renders.
    const ratings = await stack.query<{ me: { ratings: { edges: { node: { score: number; content: { title: string; available: boolean } } }[] } } }>(
      `{ me { ratings { edges { node { score content { title available } } } } } }`,
      {},
      { token: alice.token },
    );
    expect(ratings.errors).toBeUndefined();
    expect(ratings.data!.me.ratings.edges.map((e) => e.node)).toEqual([{ score: 7, content: { title: 'Cached Then Gone', available: false } }]);
  });

  it('refuses to add or rate a title removed a moment ago, before any event is applied', async () => {
    const member = await signUp();
    const title = await createMovie(stack, adminToken, 'Never Looked Up');
    await remove(title);
    expect(errorCodes(await stack.query(ADD, { id: title }, { token: member.token }))).toEqual(['CONTENT_NOT_FOUND']);
    expect(errorCodes(await stack.query(RATE, { id: title, score: 4 }, { token: member.token }))).toEqual(['CONTENT_NOT_FOUND']);
  });
});

describe('what the catalogue shows of a removed title', () => {
  it('leaves it out of content(id), browse, genre listings, search, featured and similar, and answers NOT_FOUND to a second deletion', async () => {
    const BROWSE = `query ($filter: ContentFilter) { browse(filter: $filter, first: 100) { totalCount edges { node { id } } } }`;
    const id = await idByTitle('Lone Star');
    const sciFi = { genreSlug: 'science-fiction' };
    const read = async () => {
      const [all, genre, search, featured, similar] = await Promise.all([
        stack.query<{ browse: { totalCount: number; edges: { node: { id: string } }[] } }>(BROWSE, {}),
        stack.query<{ browse: { totalCount: number; edges: { node: { id: string } }[] } }>(BROWSE, { filter: sciFi }),
        stack.query<{ search: { id: string }[] }>(`{ search(query: "lone star") { id } }`),
        stack.query<{ featured: { id: string }[] }>(`{ featured(first: 50) { id } }`),
        stack.query<{ content: { similar: { id: string }[] } }>(`query ($id: ID!) { content(id: $id) { similar(first: 50) { id } } }`, {
          id: await idByTitle('Starfall Station'),
        }),
      ]);
      const ids = (nodes: { id: string }[]) => nodes.map((n) => n.id);
      return {
        total: all.data!.browse.totalCount,
        browse: ids(all.data!.browse.edges.map((e) => e.node)),
        genreTotal: genre.data!.browse.totalCount,
        genre: ids(genre.data!.browse.edges.map((e) => e.node)),
        search: ids(search.data!.search),
        featured: ids(featured.data!.featured),
        similar: ids(similar.data!.content.similar),
      };
    };
    const before = await read();
    for (const listed of [before.browse, before.genre, before.search, before.featured, before.similar]) expect(listed).toContain(id);

    await remove(id);
    const after = await read();
    expect(after.total).toBe(before.total - 1);
    expect(after.genreTotal).toBe(before.genreTotal - 1);
    for (const listed of [after.browse, after.genre, after.search, after.featured, after.similar]) expect(listed).not.toContain(id);
    expect((await stack.query(`query ($id: ID!) { content(id: $id) { id } }`, { id })).data).toEqual({ content: null });
    expect(errorCodes(await stack.query(DELETE, { id }, { token: adminToken }))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await stack.query(`mutation ($id: ID!) { setFeatured(contentId: $id, featured: true) { id } }`, { id }, { token: adminToken }))).toEqual([
      'NOT_FOUND',
    ]);
  });

  it('still resolves references to a removed show and its episodes, lists no seasons, and takes no new episodes', async () => {
    const showId = await idByTitle('Kitchen Wars');
    const seasons = await stack.query<{ content: { seasons: { episodes: { id: string }[] }[] } }>(
      `query ($id: ID!) { content(id: $id) { ... on TvShow { seasons { episodes { id } } } } }`,
      { id: showId },
    );
    const episodeId = seasons.data!.content.seasons[0]!.episodes[0]!.id;

    await remove(showId);
    const entities = await graphql<{ _entities: unknown[] }>(
      stack.subgraphUrls.catalog!,
      `
        query ($reps: [_Any!]!) {
          _entities(representations: $reps) {
            ... on Content {
              id
              title
              available
            }
            ... on TvShow {
              seasons {
                number
              }
            }
            ... on Episode {
              id
              show {
                title
                available
              }
            }
          }
        }
      `,
      {
        reps: [
          { __typename: 'Content', id: showId },
          { __typename: 'TvShow', id: showId },
          { __typename: 'Episode', id: episodeId },
        ],
      },
    );
    expect(entities.errors).toBeUndefined();
    expect(entities.data!._entities).toEqual([
      { id: showId, title: 'Kitchen Wars', available: false, seasons: [] },
      { id: showId, title: 'Kitchen Wars', available: false, seasons: [] },
      { id: episodeId, show: { title: 'Kitchen Wars', available: false } },
    ]);
    const episode = await stack.query(
      `mutation ($id: ID!) { addEpisode(showId: $id, input: { seasonNumber: 9, episodeNumber: 1, title: "Too Late" }) { id } }`,
      { id: showId },
      { token: adminToken },
    );
    expect(errorCodes(episode)).toEqual(['NOT_FOUND']);
  });

  it('keeps a removed title removed when the catalogue import runs again, which still writes nothing', async () => {
    const id = await idByTitle('Zero Hour');
    await remove(id);
    const again = await seedCatalog(stack.subgraphEnvs.catalog!, fixture);
    expect(again.contents).toEqual({ inserted: 0, updated: 0, unchanged: fixture.contents.length });
    expect((await stack.query(`query ($id: ID!) { content(id: $id) { id } }`, { id })).data).toEqual({ content: null });
    expect((await stack.query<{ search: unknown[] }>(`{ search(query: "zero hour") { id } }`)).data!.search).toEqual([]);
  });
});
