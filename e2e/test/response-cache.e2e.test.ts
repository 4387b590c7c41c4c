import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes } from '@ott/kit/testing';
import { seedCatalog } from './support/catalog-fixture';
import { signUp, type Member } from './support/playback';
import { startStack, type Stack } from './support/stack';

const SHELF = `query Shelf($first: Int!) { browse(first: $first, sort: TITLE) { edges { node { id title } } } }`;
const TITLE = `query Title($id: ID!) { content(id: $id) { id title inMyList } }`;
const MAX_AGE = 2;
const ADMIN = { email: 'cache-admin@example.test', password: 'admin-password-1' };

let stack: Stack;
let member: Member;

beforeAll(async () => {
  stack = await startStack('response_cache', ['catalog', 'users', 'my-list'], {
    RESPONSE_CACHE_MAX_AGE_SECONDS: String(MAX_AGE),
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
  });
  await seedCatalog(stack.subgraphEnvs.catalog!);
  member = await signUp(stack, 'cache');
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

describe('the gateway’s cache of public answers', () => {
  it('tells clients how long a public answer holds: what the subgraphs allowed, at most RESPONSE_CACHE_MAX_AGE_SECONDS', async () => {
    const answer = await stack.query(SHELF, { first: 2 });
    expect(answer.errors).toBeUndefined();
    expect(answer.headers.get('cache-control')).toBe(`max-age=${MAX_AGE}, public`);
  });

  it('answers the same public query from memory, for anyone, signed in or not, and each set of variables apart', async () => {
    const first = await stack.query<{ browse: { edges: unknown[] } }>(SHELF, { first: 3 });
    const again = await stack.query<{ browse: { edges: unknown[] } }>(SHELF, { first: 3 }, { token: member.token });
    expect(again.headers.get('age')).not.toBeNull();
    expect(again.data).toEqual(first.data);
    const other = await stack.query<{ browse: { edges: unknown[] } }>(SHELF, { first: 4 });
    expect(other.headers.get('age')).toBeNull();
    expect(other.data!.browse.edges).toHaveLength(4);
  });

  it('never keeps an answer that includes a member’s own data', async () => {
    const { data } = await stack.query<{ browse: { edges: { node: { id: string } }[] } }>(SHELF, { first: 1 });
    const id = data!.browse.edges[0]!.node.id;
    const before = await stack.query<{ content: { inMyList: boolean } }>(TITLE, { id }, { token: member.token });
    expect(before.data!.content.inMyList).toBe(false);
    expect(before.headers.get('cache-control')).toBe('no-store');
    await stack.query(`mutation ($id: ID!) { addToMyList(contentId: $id) { id } }`, { id }, { token: member.token });
    const after = await stack.query<{ content: { inMyList: boolean } }>(TITLE, { id }, { token: member.token });
    expect(after.headers.get('age')).toBeNull();
    expect(after.data!.content.inMyList).toBe(true);
  });

  it('stops answering from memory as soon as catalog announces a change', async () => {
    const login = await stack.query<{ login: { accessToken: string } }>(
      `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`,
      ADMIN,
    );
    const admin = login.data!.login.accessToken;
    const newest = `query Newest { browse(first: 1, sort: RELEASE_YEAR_DESC) { edges { node { title } } } }`;
    await stack.query(newest);
    expect((await stack.query(newest)).headers.get('age')).not.toBeNull();
    const created = await stack.query(
      `mutation { createMovie(input: { title: "Released Tomorrow", releaseYear: 2099, genreIds: [] }) { id } }`,
      {},
      { token: admin },
    );
    expect(created.errors).toBeUndefined();
    const after = await stack.query<{ browse: { edges: { node: { title: string } }[] } }>(newest);
    expect(after.headers.get('age')).toBeNull();
    expect(after.data!.browse.edges[0]!.node.title).toBe('Released Tomorrow');
  });

  it('never keeps an answer with errors', async () => {
    const badCursor = `query BadCursor { browse(first: 2, after: "not a cursor") { edges { node { id } } } }`;
    const first = await stack.query(badCursor);
    const again = await stack.query(badCursor);
    expect(errorCodes(first)).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(again)).toEqual(['BAD_USER_INPUT']);
    expect(again.headers.get('age')).toBeNull();
  });

  it('answers from memory while the subgraph is away, and asks it again once the answer is older than allowed', async () => {
    const fresh = await stack.query(SHELF, { first: 5 });
    await stack.stop('catalog');
    try {
      const kept = await stack.query(SHELF, { first: 5 });
      expect(kept.data).toEqual(fresh.data);
      expect(kept.headers.get('age')).not.toBeNull();
      await new Promise((resolve) => setTimeout(resolve, MAX_AGE * 1000 + 200));
      const expired = await stack.query(SHELF, { first: 5 });
      expect(expired.data).toBeNull();
      expect(expired.headers.get('age')).toBeNull();
    } finally {
      await stack.restart('catalog');
    }
    const back = await stack.query(SHELF, { first: 5 });
    expect(back.data).toEqual(fresh.data);
  });
});
