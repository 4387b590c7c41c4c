import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, typeDirectives } from '@ott/kit/testing';
import { ContentKind } from '../src/my-list/my-list-item.model';
import { member, startMyList, type MyListUnderTest } from './support';

const LIST = `query ($reps: [_Any!]!, $first: Int, $after: String) {
  _entities(representations: $reps) {
    ... on User { id myList(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id addedAt content { id } } } } }
  }
}`;
const STATS = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { myListStats { total movies tvShows } } } }`;
const IN_LIST = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Content { id inMyList } } }`;
const ADD = `mutation ($id: ID!) { addToMyList(contentId: $id) { id content { id } } }`;
const REMOVE = `mutation ($id: ID!) { removeFromMyList(contentId: $id) }`;

interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: { id: string; addedAt: string; content: { id: string } } }[];
}

let myList: MyListUnderTest;

const userRep = (id: string) => [{ __typename: 'User', id }];

async function readPage(user: { id: string; token: string }, first?: number, after?: string | null) {
  const response = await myList.query<{ _entities: { myList: Page }[] }>(LIST, { reps: userRep(user.id), first, after }, user.token);
  expect(response.errors).toBeUndefined();
  return response.data!._entities[0]!.myList;
}

async function readAll(user: { id: string; token: string }, first: number) {
  const ids: string[] = [];
  const totals = new Set<number>();
  let after: string | null = null;
  for (;;) {
    const page: Page = await readPage(user, first, after);
    totals.add(page.totalCount);
    ids.push(...page.edges.map((e) => e.node.content.id));
    if (!page.pageInfo.hasNextPage) return { ids, totals };
    after = page.pageInfo.endCursor;
  }
}

beforeAll(async () => {
  // Nothing listens on port 9: adding a title cannot be confirmed by catalog here.
  myList = await startMyList({ CATALOG_URL: 'http://127.0.0.1:9/graphql' });
});
afterAll(() => myList?.close());

describe('the my-list subgraph reached directly', () => {
  it('serves its SDL: list fields on User and inMyList on the Content interface object', async () => {
    const response = await myList.query<{ _service: { sdl: string } }>(`{ _service { sdl } }`);
    expect(response.errors).toBeUndefined();
    const sdl = response.data!._service.sdl;
    expect(typeDirectives(sdl, 'User')).toEqual(['@key(fields: "id")']);
    expect(typeDirectives(sdl, 'Content').sort()).toEqual(['@interfaceObject', '@key(fields: "id")']);
    // Nullable: when my-list is down only this field is null (the contract's rule for fields from another subgraph).
    expect(sdl).toMatch(/^\s*inMyList: Boolean$/m);
  });

  it('refuses the list and its counts to a signed-out caller with UNAUTHENTICATED', async () => {
    const someone = member();
    await myList.seed(someone.id, 2);
    const list = await myList.query(LIST, { reps: userRep(someone.id) });
    expect(errorCodes(list)).toEqual(['UNAUTHENTICATED']);
    expect(JSON.stringify(list.data)).not.toContain('"content"');
    expect(errorCodes(await myList.query(STATS, { reps: userRep(someone.id) }))).toEqual(['UNAUTHENTICATED']);
  });

  it('never shows another user’s list through _entities, not even to an administrator', async () => {
    const owner = member();
    await myList.seed(owner.id, 3, { prefix: 'secret' });
    for (const intruder of [member(), member('ADMIN')]) {
      const list = await myList.query(LIST, { reps: userRep(owner.id) }, intruder.token);
      expect(errorCodes(list)).toEqual(['FORBIDDEN']);
      expect(JSON.stringify(list.data)).not.toContain('secret');
      expect(errorCodes(await myList.query(STATS, { reps: userRep(owner.id) }, intruder.token))).toEqual(['FORBIDDEN']);
    }
    expect((await readPage(owner)).totalCount).toBe(3);
  });

  it('pages a list of three thousand items newest first with keyset cursors, every item exactly once', async () => {
    const user = member();
    const newestFirst = await myList.seed(user.id, 3_000);
    const { ids, totals } = await readAll(user, 100);
    expect(ids).toEqual(newestFirst);
    expect([...totals]).toEqual([3_000]);
  });

  it('breaks ties between items added in the same millisecond by id, losing and repeating none', async () => {
    const user = member();
    const seeded = await myList.seed(user.id, 25, { sameInstant: true });
    const { ids } = await readAll(user, 10);
    expect(ids).toHaveLength(25);
    expect(new Set(ids)).toEqual(new Set(seeded));
  });

  it('uses 20 as the default page size and reports no next page at the end', async () => {
    const user = member();
    await myList.seed(user.id, 21);
    const first = await readPage(user);
    expect(first.edges).toHaveLength(20);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const last = await readPage(user, 20, first.pageInfo.endCursor);
    expect(last.edges).toHaveLength(1);
    expect(last.pageInfo).toEqual({ hasNextPage: false, endCursor: last.edges[0]!.cursor });
  });

  it('answers an empty list with no edges, no end cursor and zero counts', async () => {
    const user = member();
    expect(await readPage(user)).toEqual({ totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] });
    const stats = await myList.query(STATS, { reps: userRep(user.id) }, user.token);
    expect(stats.data).toEqual({ _entities: [{ myListStats: { total: 0, movies: 0, tvShows: 0 } }] });
  });

  it('rejects a page size outside 1 to 100 and a cursor it did not issue with BAD_USER_INPUT naming the argument', async () => {
    const user = member();
    for (const first of [0, 101, -5]) {
      const response = await myList.query(LIST, { reps: userRep(user.id), first }, user.token);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors?.[0]?.message).toMatch(/^first:/);
    }
    const forged = Buffer.from(JSON.stringify(['yesterday', 'not-an-id'])).toString('base64url');
    for (const after of ['garbage', forged]) {
      const response = await myList.query(LIST, { reps: userRep(user.id), after }, user.token);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors?.[0]?.message).toMatch(/^after:/);
    }
  });

  it('counts movies and TV shows separately', async () => {
    const user = member();
    await myList.seed(user.id, 7, { kind: (i) => (i % 3 === 0 ? ContentKind.TV_SHOW : ContentKind.MOVIE) });
    const stats = await myList.query(STATS, { reps: userRep(user.id) }, user.token);
    expect(stats.data).toEqual({ _entities: [{ myListStats: { total: 7, movies: 4, tvShows: 3 } }] });
  });
});

describe('changing a list directly on the subgraph', () => {
  it('requires a signed-in caller to add or remove', async () => {
    expect(errorCodes(await myList.query(ADD, { id: 'c1' }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await myList.query(REMOVE, { id: 'c1' }))).toEqual(['UNAUTHENTICATED']);
  });

  it('rejects an empty or malformed contentId with BAD_USER_INPUT naming the field', async () => {
    const user = member();
    for (const id of ['', '   ', 'x'.repeat(65), 'a\u0000b']) {
      for (const mutation of [ADD, REMOVE]) {
        const response = await myList.query(mutation, { id }, user.token);
        expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
        expect(response.errors?.[0]?.message).toMatch(/^contentId:/);
      }
    }
  });

  it('answers NOT_IN_LIST when removing a title that is not in the list', async () => {
    const user = member();
    await myList.seed(user.id, 1);
    const response = await myList.query(REMOVE, { id: 'never-added' }, user.token);
    expect(errorCodes(response)).toEqual(['NOT_IN_LIST']);
    expect((await readPage(user)).totalCount).toBe(1);
  });

  it('removes a title: the next page and counts no longer hold it, and removing it again is NOT_IN_LIST', async () => {
    const user = member();
    const [newest, second] = await myList.seed(user.id, 3, { kind: () => ContentKind.TV_SHOW });
    expect((await readPage(user)).totalCount).toBe(3);
    const removed = await myList.query(REMOVE, { id: ` ${newest} ` }, user.token);
    expect(removed.data).toEqual({ removeFromMyList: true });
    const page = await readPage(user);
    expect(page.totalCount).toBe(2);
    expect(page.edges[0]!.node.content.id).toBe(second);
    const stats = await myList.query(STATS, { reps: userRep(user.id) }, user.token);
    expect(stats.data).toEqual({ _entities: [{ myListStats: { total: 2, movies: 0, tvShows: 2 } }] });
    expect(errorCodes(await myList.query(REMOVE, { id: newest }, user.token))).toEqual(['NOT_IN_LIST']);
  });

  it('leaves another user’s list alone when a title of the same id is removed', async () => {
    const [ann, ben] = [member(), member()];
    await myList.seed(ann.id, 2);
    await myList.seed(ben.id, 2);
    await myList.query(REMOVE, { id: 'c0' }, ann.token);
    expect((await readPage(ann)).totalCount).toBe(1);
    expect((await readPage(ben)).totalCount).toBe(2);
  });

  it('fails closed with INTERNAL_SERVER_ERROR and stores nothing when catalog cannot confirm the title', async () => {
    const user = member();
    const response = await myList.query(ADD, { id: 'some-title' }, user.token);
    expect(errorCodes(response)).toEqual(['INTERNAL_SERVER_ERROR']);
    expect(response.errors?.[0]?.message).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
    expect((await readPage(user)).totalCount).toBe(0);
  });
});

describe('inMyList', () => {
  it('answers for the caller: true for saved titles, false for others and for other users’ titles', async () => {
    const [ann, ben] = [member(), member()];
    await myList.seed(ann.id, 2, { prefix: 'ann' });
    await myList.seed(ben.id, 2, { prefix: 'ben' });
    const reps = ['ann0', 'ann1', 'ben0', 'other'].map((id) => ({ __typename: 'Content', id }));
    const response = await myList.query<{ _entities: { id: string; inMyList: boolean }[] }>(IN_LIST, { reps }, ann.token);
    expect(response.errors).toBeUndefined();
    expect(response.data!._entities.map((c) => c.inMyList)).toEqual([true, true, false, false]);
  });

  it('answers false for every title when signed out', async () => {
    const reps = ['ann0', 'c0'].map((id) => ({ __typename: 'Content', id }));
    const response = await myList.query<{ _entities: { inMyList: boolean }[] }>(IN_LIST, { reps });
    expect(response.errors).toBeUndefined();
    expect(response.data!._entities.map((c) => c.inMyList)).toEqual([false, false]);
  });
});
