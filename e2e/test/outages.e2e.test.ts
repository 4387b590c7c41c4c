import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateMongo, startPrivateRedis } from '@ott/kit/testing';
import { seedCatalog } from './support/catalog-fixture';
import { WriteLoad } from './support/faults';
import { eventually, signUp, type Member } from './support/playback';
import { startStack, type Stack } from './support/stack';

const ADD = `mutation ($id: ID!) { addToMyList(contentId: $id) { id } }`;
const LIST = `{ me { myListStats { total } myList(first: 100) { totalCount edges { node { content { id } } } } } }`;

interface ListView {
  me: { myListStats: { total: number }; myList: { totalCount: number; edges: { node: { content: { id: string } } }[] } };
}

async function titlesOf(stack: Stack): Promise<string[]> {
  const { browse } = (await stack.query<{ browse: { edges: { node: { id: string } }[] } }>(`{ browse(first: 100) { edges { node { id } } } }`)).data!;
  return browse.edges.map((edge) => edge.node.id);
}

/** The member's list once the graph answers it whole again: ids, and the counts it reports. */
async function listOnceBack(stack: Stack, who: Member) {
  return eventually(async () => {
    const response = await stack.query<ListView>(LIST, {}, { token: who.token });
    expect(response.errors).toBeUndefined();
    const { myListStats, myList } = response.data!.me;
    return { ids: new Set(myList.edges.map((e) => e.node.content.id)), total: myListStats.total, totalCount: myList.totalCount };
  }, 20_000);
}

describe('Redis restarting under load', () => {
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
  let stack: Stack;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    stack = await startStack('redis_outage', ['users', 'catalog', 'my-list'], { REDIS_URL: redis.url });
    await seedCatalog(stack.subgraphEnvs.catalog!);
  });
  afterAll(async () => {
    await stack?.close();
    await redis?.stop();
  });

  it('loses no acknowledged write, and lists and counts are exact once it is back', async () => {
    const writer = await signUp(stack, 'redis');
    const load = new WriteLoad(await titlesOf(stack), (id) => stack.query(ADD, { id }, { token: writer.token }), 40).start();
    await eventually(async () => expect(load.acknowledged.length).toBeGreaterThan(3));
    await redis.stop();
    await new Promise((resolve) => setTimeout(resolve, 500));
    redis = await startPrivateRedis(redis.port);
    await load.done();
    const list = await listOnceBack(stack, writer);
    expect(load.acknowledged.filter((id) => !list.ids.has(id))).toEqual([]);
    expect(list.total).toBe(list.ids.size);
    expect(list.totalCount).toBe(list.ids.size);
  });
});

describe('the database restarting under load', () => {
  let mongo: Awaited<ReturnType<typeof startPrivateMongo>>;
  let stack: Stack;

  beforeAll(async () => {
    mongo = await startPrivateMongo();
    stack = await startStack('db_outage', ['users', 'catalog', 'my-list'], { MONGODB_URL: mongo.url });
    await seedCatalog(stack.subgraphEnvs.catalog!);
  });
  afterAll(async () => {
    await stack?.close();
    await mongo?.stop();
  });

  it('is reconnected to by every service without a restart, and no acknowledged write is lost', async () => {
    const writer = await signUp(stack, 'db');
    const load = new WriteLoad(await titlesOf(stack), (id) => stack.query(ADD, { id }, { token: writer.token }), 40).start();
    await eventually(async () => expect(load.acknowledged.length).toBeGreaterThan(3));
    await mongo.stop();
    const ready = await fetch(new URL('/health/ready', stack.subgraphUrls['my-list']!));
    expect(ready.status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    mongo = await startPrivateMongo(mongo.dataDir, mongo.port);
    await load.done();
    const list = await listOnceBack(stack, writer);
    expect(load.acknowledged.filter((id) => !list.ids.has(id))).toEqual([]);
    expect(list.total).toBe(list.ids.size);
    await eventually(async () => expect((await fetch(new URL('/health/ready', stack.gatewayUrl))).status).toBe(200), 20_000);
  });
});

describe('one subgraph stopped', () => {
  let stack: Stack;

  beforeAll(async () => {
    // The response cache off: each query here must reach the subgraphs.
    stack = await startStack('subgraph_down', ['users', 'catalog', 'my-list', 'ratings'], { RESPONSE_CACHE_MAX_AGE_SECONDS: '0' });
    await seedCatalog(stack.subgraphEnvs.catalog!);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('nulls only the fields it owns, each with an error naming its path, and keeps the rest of the answer', async () => {
    const member = await signUp(stack, 'outage');
    const [id] = await titlesOf(stack);
    await stack.stop('ratings');
    await stack.stop('my-list');

    const title = await stack.query<{ content: { id: string; title: string; ratingsCount: number | null; inMyList: boolean | null } | null }>(
      `query ($id: ID!) { content(id: $id) { id title ratingsCount inMyList } }`,
      { id },
      { token: member.token },
    );
    expect(title.status).toBe(200);
    expect(title.data?.content).toEqual({ id, title: expect.any(String), ratingsCount: null, inMyList: null });
    expect(title.errors?.map((e) => e.path).sort()).toEqual([
      ['content', 'inMyList'],
      ['content', 'ratingsCount'],
    ]);

    // Not myList here: `me` is @shareable with my-list, so its plan may start there (README, "When a subgraph is down or late").
    const me = await stack.query<{ me: { id: string; displayName: string; ratings: unknown } | null }>(
      `{ me { id displayName ratings(first: 1) { totalCount } } }`,
      {},
      { token: member.token },
    );
    expect(me.data?.me).toEqual({ id: member.id, displayName: expect.any(String), ratings: null });
    expect(me.errors?.map((e) => e.path)).toEqual([['me', 'ratings']]);
    const page = await stack.query<{ browse: { edges: { node: { id: string; ratingsCount: number | null } }[] } }>(
      `{ browse(first: 3) { edges { node { id ratingsCount } } } }`,
    );
    expect(page.data?.browse.edges.map((e) => e.node)).toEqual([0, 1, 2].map(() => ({ id: expect.any(String), ratingsCount: null })));
    expect(page.errors?.map((e) => e.path)).toEqual([0, 1, 2].map((i) => ['browse', 'edges', i, 'node', 'ratingsCount']));

    for (const error of [...title.errors!, ...page.errors!, ...me.errors!]) expect(error.extensions?.code).toEqual(expect.any(String));
  });

  it('leaves the gateway ready: its readiness is its own Redis and supergraph, never a subgraph', async () => {
    await stack.stop('catalog');
    const ready = await fetch(new URL('/health/ready', stack.gatewayUrl));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { supergraph: 'ok', redis: 'ok', playbackEvents: 'ok' } });
  });
});
