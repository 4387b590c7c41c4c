import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateRedis } from '@ott/kit/testing';
import { member, startMyList, type MyListUnderTest } from './support';

const LIST = `query ($reps: [_Any!]!) {
  _entities(representations: $reps) { ... on User { myList(first: 50) { totalCount edges { node { content { id } } } } myListStats { total } } }
}`;
const REMOVE = `mutation ($id: ID!) { removeFromMyList(contentId: $id) }`;

let redisServer: Awaited<ReturnType<typeof startPrivateRedis>>;
let myList: MyListUnderTest;

beforeAll(async () => {
  redisServer = await startPrivateRedis();
  myList = await startMyList({ REDIS_URL: redisServer.url, CATALOG_URL: 'http://127.0.0.1:9/graphql' });
});
afterAll(async () => {
  await myList?.close();
  await redisServer?.stop();
});

async function read(user: { id: string; token: string }) {
  const response = await myList.query<{
    _entities: { myList: { totalCount: number; edges: { node: { content: { id: string } } }[] }; myListStats: { total: number } }[];
  }>(LIST, { reps: [{ __typename: 'User', id: user.id }] }, user.token);
  expect(response.errors).toBeUndefined();
  const [entity] = response.data!._entities;
  return { total: entity!.myListStats.total, count: entity!.myList.totalCount, ids: entity!.myList.edges.map((e) => e.node.content.id) };
}

async function remove(user: { token: string }, id: string) {
  const response = await myList.query(REMOVE, { id }, user.token);
  expect(response.errors).toBeUndefined();
}

/** Polls the subgraph's own readiness until its Redis client is connected again. */
async function redisReconnected() {
  const health = new URL('/health/ready', myList.url);
  for (let attempt = 0; attempt < 100; attempt++) {
    const body = (await (await fetch(health)).json()) as { checks: { redis: string } };
    if (body.checks.redis === 'ok') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('my-list did not reconnect to redis');
}

const cacheWarnings = () => myList.logLines.filter((line) => line.msg === 'cache unavailable: answering from the database');

describe('my-list while Redis is down', () => {
  it('answers from the database, loses no write, logs the failure once and invalidates correctly after Redis restarts', async () => {
    const user = member();
    const [c4, c3, c2] = await myList.seed(user.id, 5);
    expect(await read(user)).toMatchObject({ total: 5, count: 5 });

    await redisServer.stop();
    expect(await read(user)).toMatchObject({ total: 5, count: 5 });
    await remove(user, c4!);
    expect(await read(user)).toMatchObject({ total: 4, count: 4 });
    await remove(user, c3!);
    const during = await read(user);
    expect(during).toMatchObject({ total: 3, count: 3 });
    expect(during.ids).not.toContain(c3);
    expect(cacheWarnings()).toHaveLength(1);
    expect(myList.caches.list.stats.failures).toBeGreaterThan(1);

    // A restarted Redis without persistence comes back empty: the list is cached afresh.
    redisServer = await startPrivateRedis(redisServer.port);
    await redisReconnected();
    expect(await read(user)).toMatchObject({ total: 3, count: 3 });
    const hits = myList.caches.list.stats.hits;
    expect(await read(user)).toMatchObject({ total: 3, count: 3 });
    expect(myList.caches.list.stats.hits).toBeGreaterThan(hits);

    await remove(user, c2!);
    const after = await read(user);
    expect(after).toMatchObject({ total: 2, count: 2 });
    expect(after.ids).not.toContain(c2);
  });

  it('ignores a page cached before an outage in which a write’s invalidation was lost', async () => {
    const user = member();
    const [newest] = await myList.seed(user.id, 3);
    expect(await read(user)).toMatchObject({ total: 3 });

    // Redis keeps the cached page, but my-list cannot reach it: the write's bump is lost.
    const ended = new Promise((resolve) => myList.redis.once('end', resolve));
    myList.redis.disconnect();
    await ended;
    await remove(user, newest!);

    await myList.redis.connect();
    const after = await read(user);
    expect(after).toMatchObject({ total: 2, count: 2 });
    expect(after.ids).not.toContain(newest);
  });
});
