import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectRedis, createLogger, createRedis, isCluster, type RedisClient } from '@ott/kit';
import { errorCodes, uniqueTag } from '@ott/kit/testing';
import { seedCatalog } from './support/catalog-fixture';
import { liveClient, type LiveClient } from './support/live';
import { catalogIds, dataOf, eventually, heartbeat, started, stop, subscriber, type CatalogIds } from './support/playback';
import { startStack, type Stack } from './support/stack';

// The whole graph on a real Redis Cluster (3 masters, from the global setup): every service
// started with REDIS_CLUSTER_NODES, so caches, rate limits, play counts, streams between
// subgraphs, token stamps and playback subscriptions all run on cluster clients. Most uses
// fail open (a cache answers from the database), so the test also looks for their keys.

const nodes = inject('redisClusterNodes');
const ADMIN = { email: 'cluster-admin@example.test', password: 'admin-password-1' };
const LOGIN = `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken refreshToken } }`;
const TRENDING = `query ($first: Int) { trending(first: $first) { id playCount } }`;

let stack: Stack;
let catalog: CatalogIds;
let adminToken: string;
let redis: RedisClient;
const PREFIX = `t:${uniqueTag('cluster')}:`;
const clients: LiveClient[] = [];

/** Keys matching `pattern` on every master (KEYS reads one node only). */
async function keysEverywhere(pattern: string): Promise<string[]> {
  if (!isCluster(redis)) throw new Error('not a cluster client');
  return (await Promise.all(redis.nodes('master').map((node) => node.keys(pattern)))).flat();
}

beforeAll(async () => {
  if (!nodes) return;
  stack = await startStack('cluster', ['users', 'catalog', 'billing', 'streaming', 'my-list'], {
    REDIS_CLUSTER_NODES: nodes,
    REDIS_KEY_PREFIX: PREFIX,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOGIN_FAILURES_PER_ACCOUNT_AND_IP: '2',
    TRENDING_CACHE_TTL_SECONDS: '1',
  });
  redis = createRedis(
    'cluster-test',
    { url: stack.gatewayEnv.REDIS_URL!, clusterNodes: nodes.split(','), keyPrefix: '' },
    createLogger('cluster-test', 'silent'),
  );
  await connectRedis(redis);
  await seedCatalog(stack.subgraphEnvs.catalog!);
  catalog = await catalogIds(stack);
  adminToken = dataOf(await stack.query<{ login: { accessToken: string } }>(LOGIN, ADMIN)).login.accessToken;
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose().catch(() => undefined)));
  redis?.disconnect();
  await stack?.close();
});

describe.skipIf(!nodes)('the graph on a Redis Cluster', () => {
  it('plays, counts and ranks, and pushes each heartbeat to the member’s subscription through the gateway', async () => {
    const viewer = await subscriber(stack, 'STANDARD', 'cluster');
    const movie = catalog.movies[0]!;
    const client = liveClient(stack.gatewayUrl, { authorization: `Bearer ${viewer.token}` });
    clients.push(client);
    const first = await started(stack, viewer, { contentId: movie.id, device: 'tv', quality: 'HD' });
    const live = client.subscribe<{ playbackSessionUpdated: { id: string; positionSeconds: number; state: string } }>(
      'subscription ($id: ID!) { playbackSessionUpdated(sessionId: $id) { id positionSeconds state } }',
      { id: first.id },
    );
    // Subscribed once a heartbeat arrives: the gateway's SSUBSCRIBE may still be on its way.
    await eventually(async () => {
      expect((await heartbeat(stack, viewer, first.id, 42)).errors).toBeUndefined();
      expect(live.results.length).toBeGreaterThan(0);
    });
    expect(live.results.at(-1)!.data!.playbackSessionUpdated).toMatchObject({ id: first.id, positionSeconds: 42 });
    await stop(stack, viewer, first.id);
    await live.ended();
    expect(live.results.at(-1)!.data!.playbackSessionUpdated.state).toBe('ENDED');

    const second = await started(stack, viewer, { contentId: movie.id, device: 'tv', quality: 'HD' });
    await stop(stack, viewer, second.id);
    await eventually(async () => {
      const trending = dataOf(await stack.query<{ trending: { id: string; playCount: number }[] }>(TRENDING, { first: 50 })).trending;
      expect(trending.find((title) => title.id === movie.id)).toEqual({ id: movie.id, playCount: 2 });
    });
    // Counted in Redis (by the scripts, or a rebuild), not only answered from the database.
    expect(await redis.zscore(`${PREFIX}streaming:{plays}:all`, movie.id)).toBe('2');
  });

  it('caches the catalogue and drops a removed title everywhere, over the streams between subgraphs', async () => {
    const viewer = await subscriber(stack, 'BASIC', 'lister');
    const created = await stack.query<{ createMovie: { id: string } }>(
      `mutation { createMovie(input: { title: "Cluster Feature", genreIds: [] }) { id } }`,
      {},
      { token: adminToken },
    );
    const id = dataOf(created).createMovie.id;
    const add = await stack.query(`mutation ($id: ID!) { addToMyList(contentId: $id) { id } }`, { id }, { token: viewer.token });
    expect(add.errors).toBeUndefined();
    const title = `query ($id: ID!) { content(id: $id) { id title } }`;
    // Twice: the second answer comes from catalog's cache (or the gateway's), the same either way.
    for (let i = 0; i < 2; i++) expect(dataOf(await stack.query<{ content: { title: string } }>(title, { id })).content.title).toBe('Cluster Feature');
    expect(dataOf(await stack.query(`mutation ($id: ID!) { deleteContent(id: $id) }`, { id }, { token: adminToken }))).toEqual({ deleteContent: true });
    // catalog → my-list over the content-deleted stream: the entry goes from the list.
    await eventually(async () => {
      const list = dataOf(
        await stack.query<{ me: { myList: { edges: { node: { content: { id: string } } }[] } } }>(
          `{ me { myList(first: 50) { edges { node { content { id } } } } } }`,
          {},
          { token: viewer.token },
        ),
      );
      expect(list.me.myList.edges.map((edge) => edge.node.content.id)).not.toContain(id);
    }, 15_000);
    // my-list's cache holds the member's entries under the member's hash tag.
    expect((await keysEverywhere(`${PREFIX}mylist:*{${viewer.id}}*`)).length).toBeGreaterThan(0);
  });

  it('rate-limits failed sign-ins and revokes tokens at logout, across the cluster', async () => {
    const email = `cluster-${randomUUID().slice(0, 8)}@example.test`;
    const password = 'a long enough password';
    const registered = await stack.query<{ register: { accessToken: string; refreshToken: string } }>(
      `mutation ($input: RegisterInput!) { register(input: $input) { accessToken refreshToken } }`,
      { input: { email, password, displayName: 'Cluster Member' } },
    );
    const { accessToken, refreshToken } = dataOf(registered).register;
    for (let i = 0; i < 2; i++) expect(errorCodes(await stack.query(LOGIN, { email, password: 'wrong password!' }))).toEqual(['INVALID_CREDENTIALS']);
    expect(errorCodes(await stack.query(LOGIN, { email, password: 'wrong password!' }))).toEqual(['RATE_LIMITED']);
    // Counted in the cluster, not in the process's memory (the fallback while Redis fails).
    expect((await keysEverywhere(`${PREFIX}users:rate:*`)).length).toBeGreaterThan(0);

    const me = `{ me { id } }`;
    expect((await stack.query(me, {}, { token: accessToken })).errors).toBeUndefined();
    expect(dataOf(await stack.query(`mutation ($refreshToken: String!) { logout(refreshToken: $refreshToken) }`, { refreshToken }))).toEqual({ logout: true });
    expect(errorCodes(await stack.query(me, {}, { token: accessToken }))).toEqual(['UNAUTHENTICATED']);
  });
});
