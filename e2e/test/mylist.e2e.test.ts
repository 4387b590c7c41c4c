import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes } from '@ott/kit/testing';
import { catalogFixture, seedCatalog } from './support/catalog-fixture';
import { startStack, type Stack } from './support/stack';

const ADMIN = { email: 'mylist-admin@example.test', password: 'admin-password-1' };
const fixture = catalogFixture();

const HOME = `{ me { myList(first: 20) { totalCount edges { node { addedAt content { title genres { name } ... on Movie { runtimeMinutes } } } } } } }`;
const PAGE = `query ($first: Int, $after: String) {
  me { myList(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { content { id title } } } } }
}`;
const STATS = `{ me { myListStats { total movies tvShows } } }`;
const ADD = `mutation ($id: ID!) { addToMyList(contentId: $id) { id addedAt content { __typename id title inMyList } } }`;
const REMOVE = `mutation ($id: ID!) { removeFromMyList(contentId: $id) }`;
const IN_LIST = `query ($id: ID!) { content(id: $id) { title inMyList } }`;

interface Member {
  token: string;
  id: string;
}
interface HomeItem {
  addedAt: string;
  content: { title: string; genres: { name: string }[]; runtimeMinutes?: number | null };
}

let stack: Stack;
let adminToken: string;
/** Catalogue ids by title, and the concrete type of each. */
const titles = new Map<string, { id: string; kind: string }>();
let registered = 0;

async function signUp(): Promise<Member> {
  registered += 1;
  const response = await stack.query<{ register: { accessToken: string; user: { id: string } } }>(
    `mutation ($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }`,
    { input: { email: `lister${registered}@example.test`, password: 'a long enough password', displayName: `Lister ${registered}` } },
  );
  expect(response.errors).toBeUndefined();
  return { token: response.data!.register.accessToken, id: response.data!.register.user.id };
}

const idOf = (title: string) => titles.get(title)!.id;

async function add(member: Member, title: string) {
  const response = await stack.query(ADD, { id: idOf(title) }, { token: member.token });
  expect(response.errors).toBeUndefined();
  return response;
}

async function stats(member: Member) {
  const response = await stack.query<{ me: { myListStats: { total: number; movies: number; tvShows: number } } }>(STATS, {}, { token: member.token });
  expect(response.errors).toBeUndefined();
  return response.data!.me.myListStats;
}

async function pageTitles(member: Member, first: number, after?: string | null) {
  type Page = { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { content: { title: string } } }[] };
  const response = await stack.query<{ me: { myList: Page } }>(PAGE, { first, after }, { token: member.token });
  expect(response.errors).toBeUndefined();
  const page = response.data!.me.myList;
  return { ...page, titles: page.edges.map((e) => e.node.content.title) };
}

beforeAll(async () => {
  // Catalog first: my-list learns its URL and asks it whether titles exist.
  stack = await startStack('mylist_e2e', ['users', 'catalog', 'my-list'], { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
  await seedCatalog(stack.subgraphEnvs.catalog!, fixture);
  const browse = await stack.query<{ browse: { edges: { node: { __typename: string; id: string; title: string } }[] } }>(
    `{ browse(first: 100) { edges { node { __typename id title } } } }`,
  );
  for (const { node } of browse.data!.browse.edges) titles.set(node.title, { id: node.id, kind: node.__typename });
  const login = await stack.query<{ login: { accessToken: string } }>(
    `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`,
    ADMIN,
  );
  adminToken = login.data!.login.accessToken;
});
afterAll(() => stack?.close());

describe('the home-screen list through the gateway', () => {
  it('returns the saved titles newest first, enriched by catalog with titles, genres and film runtimes', async () => {
    const member = await signUp();
    for (const title of ['Star Quest', 'Starfall Station', 'Amélie']) await add(member, title);
    const response = await stack.query<{ me: { myList: { totalCount: number; edges: { node: HomeItem }[] } } }>(HOME, {}, { token: member.token });
    expect(response.errors).toBeUndefined();
    const { totalCount, edges } = response.data!.me.myList;
    expect(totalCount).toBe(3);
    const items = edges.map((e) => e.node);
    expect(items.map((i) => i.content.title)).toEqual(['Amélie', 'Starfall Station', 'Star Quest']);
    expect(items[0]!.content.runtimeMinutes).toBe(96);
    expect(items[0]!.content.genres.map((g) => g.name).sort()).toEqual(['Comedy', 'Drama', 'Science Fiction']);
    expect(items[1]!.content).not.toHaveProperty('runtimeMinutes');
    expect(items[1]!.content.genres.map((g) => g.name).sort()).toEqual(['Drama', 'Science Fiction']);
    expect(new Date(items[0]!.addedAt).getTime()).toBeGreaterThanOrEqual(new Date(items[2]!.addedAt).getTime());
  });

  it('answers an add with the new item, its title from catalog and inMyList now true', async () => {
    const member = await signUp();
    const response = await stack.query<{ addToMyList: { id: string; content: { __typename: string; title: string; inMyList: boolean } } }>(
      ADD,
      { id: idOf('Harbor Lights') },
      { token: member.token },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.addToMyList.content).toEqual({ __typename: 'TvShow', id: idOf('Harbor Lights'), title: 'Harbor Lights', inMyList: true });
  });

  it('answers ALREADY_IN_LIST for a second add of one title and keeps one copy', async () => {
    const member = await signUp();
    await add(member, 'Dark Star');
    const again = await stack.query(ADD, { id: idOf('Dark Star') }, { token: member.token });
    expect(errorCodes(again)).toEqual(['ALREADY_IN_LIST']);
    expect(await stats(member)).toEqual({ total: 1, movies: 1, tvShows: 0 });
  });

  it('stores exactly one item when ten adds of the same title race', async () => {
    const member = await signUp();
    const results = await Promise.all(Array.from({ length: 10 }, () => stack.query(ADD, { id: idOf('Zero Hour') }, { token: member.token })));
    const codes = results.map((r) => (r.errors ? errorCodes(r)[0] : 'OK'));
    expect(codes.filter((c) => c === 'OK')).toHaveLength(1);
    expect(codes.filter((c) => c === 'ALREADY_IN_LIST')).toHaveLength(9);
    expect((await pageTitles(member, 20)).titles).toEqual(['Zero Hour']);
  });

  it('answers CONTENT_NOT_FOUND for a title catalog does not know, and stores nothing', async () => {
    const member = await signUp();
    for (const id of [new Types.ObjectId().toHexString(), 'no-such-title']) {
      const response = await stack.query(ADD, { id }, { token: member.token });
      expect(errorCodes(response)).toEqual(['CONTENT_NOT_FOUND']);
      expect(response.errors?.[0]?.message).toMatch(/^contentId:/);
    }
    expect(await stats(member)).toEqual({ total: 0, movies: 0, tvShows: 0 });
  });

  it('accepts a title an administrator created a moment ago', async () => {
    const member = await signUp();
    const created = await stack.query<{ createMovie: { id: string } }>(
      `mutation ($input: MovieInput!) { createMovie(input: $input) { id } }`,
      { input: { title: 'Fresh Off The Press', genreIds: [] } },
      { token: adminToken },
    );
    expect(created.errors).toBeUndefined();
    const response = await stack.query(ADD, { id: created.data!.createMovie.id }, { token: member.token });
    expect(response.errors).toBeUndefined();
    expect((await pageTitles(member, 5)).titles).toEqual(['Fresh Off The Press']);
  });

  it('removes a title, answers NOT_IN_LIST for a title not in the list, and shows the change at once', async () => {
    const member = await signUp();
    await add(member, 'Night Shift');
    await add(member, 'Kitchen Wars');
    expect((await pageTitles(member, 20)).titles).toEqual(['Kitchen Wars', 'Night Shift']);
    expect((await stack.query(REMOVE, { id: idOf('Kitchen Wars') }, { token: member.token })).data).toEqual({ removeFromMyList: true });
    expect((await pageTitles(member, 20)).titles).toEqual(['Night Shift']);
    expect(await stats(member)).toEqual({ total: 1, movies: 1, tvShows: 0 });
    expect(errorCodes(await stack.query(REMOVE, { id: idOf('Kitchen Wars') }, { token: member.token }))).toEqual(['NOT_IN_LIST']);
    expect(errorCodes(await stack.query(REMOVE, { id: idOf('Open Water') }, { token: member.token }))).toEqual(['NOT_IN_LIST']);
  });

  it('pages the whole catalogue newest first with exact totals and counts after every write', async () => {
    const member = await signUp();
    const all = [...titles.keys()].filter((title) => fixture.contents.some((c) => c.title === title));
    let expected = { total: 0, movies: 0, tvShows: 0 };
    for (const title of all) {
      await add(member, title);
      const isShow = titles.get(title)!.kind === 'TvShow';
      expected = { total: expected.total + 1, movies: expected.movies + (isShow ? 0 : 1), tvShows: expected.tvShows + (isShow ? 1 : 0) };
      expect(await stats(member)).toEqual(expected);
    }
    expect(expected).toEqual({ total: 27, movies: 24, tvShows: 3 });

    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await pageTitles(member, 10, after);
      expect(page.totalCount).toBe(27);
      seen.push(...page.titles);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual([...all].reverse());

    await stack.query(REMOVE, { id: idOf('Starfall Station') }, { token: member.token });
    expect(await stats(member)).toEqual({ total: 26, movies: 24, tvShows: 2 });
    expect((await pageTitles(member, 1)).totalCount).toBe(26);
  });
});

describe('whose list it is', () => {
  it('keeps two members’ lists and inMyList answers apart', async () => {
    const [ann, ben] = [await signUp(), await signUp()];
    await add(ann, 'Paper Moons');
    await add(ben, 'Glass Houses');
    expect((await pageTitles(ann, 20)).titles).toEqual(['Paper Moons']);
    expect((await pageTitles(ben, 20)).titles).toEqual(['Glass Houses']);
    const asAnn = await stack.query(IN_LIST, { id: idOf('Paper Moons') }, { token: ann.token });
    const asBen = await stack.query(IN_LIST, { id: idOf('Paper Moons') }, { token: ben.token });
    expect(asAnn.data).toEqual({ content: { title: 'Paper Moons', inMyList: true } });
    expect(asBen.data).toEqual({ content: { title: 'Paper Moons', inMyList: false } });
  });

  it('never shows a member’s list to anyone else, an administrator included', async () => {
    const owner = await signUp();
    await add(owner, 'Iron Orchard');
    const response = await stack.query(
      `query ($id: ID!) { user(id: $id) { displayName myList { totalCount } myListStats { total } } }`,
      { id: owner.id },
      { token: adminToken },
    );
    expect(errorCodes(response).length).toBeGreaterThan(0);
    expect(new Set(errorCodes(response))).toEqual(new Set(['FORBIDDEN']));
    expect(JSON.stringify(response.data)).not.toContain('totalCount');
  });

  it('requires signing in to change a list and answers inMyList false when signed out', async () => {
    expect(errorCodes(await stack.query(ADD, { id: idOf('Golden Hour') }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await stack.query(REMOVE, { id: idOf('Golden Hour') }))).toEqual(['UNAUTHENTICATED']);
    const browse = await stack.query<{ browse: { edges: { node: { inMyList: boolean } }[] } }>(`{ browse(first: 30) { edges { node { inMyList } } } }`);
    expect(browse.errors).toBeUndefined();
    expect(browse.data!.browse.edges.every((e) => e.node.inMyList === false)).toBe(true);
  });

  it('marks the saved titles on a catalogue page for the signed-in member', async () => {
    const member = await signUp();
    await add(member, 'Blue Valley');
    await add(member, 'Echo Park');
    const browse = await stack.query<{ browse: { edges: { node: { title: string; inMyList: boolean } }[] } }>(
      `{ browse(first: 30) { edges { node { title inMyList } } } }`,
      {},
      { token: member.token },
    );
    expect(browse.errors).toBeUndefined();
    const saved = browse.data!.browse.edges.filter((e) => e.node.inMyList).map((e) => e.node.title);
    expect(saved.sort()).toEqual(['Blue Valley', 'Echo Park']);
  });
});
