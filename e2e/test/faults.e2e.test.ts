import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBGRAPH_SECRET_HEADER, type Service } from '@ott/kit';
import { errorCodes, graphql, testEnv, uniqueTag } from '@ott/kit/testing';
import * as catalogSubgraph from '@ott/catalog';
import { start as startGateway } from '@ott/gateway';
import { seedCatalog } from './support/catalog-fixture';
import { expectNoInternals, slowLink, WriteLoad, type SlowLink } from './support/faults';
import { eventually, signUp, type Member } from './support/playback';
import { startStack, type Stack } from './support/stack';

const SECRET = 'a-shared-secret-between-the-gateway-and-subgraphs';
const HOME = `{ genres { id } me { id myListStats { total } } }`;
const LIST = `{ me { myList(first: 100) { edges { node { content { id } } } } } }`;
const ADD = `mutation ($id: ID!) { addToMyList(contentId: $id) { id } }`;

let stack: Stack;
let titles: string[];
let member: Member;

beforeAll(async () => {
  // Subgraphs answer only the gateway (and each other): the shared secret is on, as in compose.
  // Catalog reads from the database here (no copy in memory), so its heavy queries are heavy.
  stack = await startStack('faults', ['users', 'catalog', 'my-list'], { SUBGRAPH_SHARED_SECRET: SECRET, CATALOG_MEMORY_MAX_DOCUMENTS: '0' });
  await seedCatalog(stack.subgraphEnvs.catalog!);
  const { browse } = (await stack.query<{ browse: { edges: { node: { id: string } }[] } }>(`{ browse(first: 100) { edges { node { id } } } }`)).data!;
  titles = browse.edges.map((edge) => edge.node.id);
  member = await signUp(stack, 'faults');
});
afterAll(() => stack?.close());

const saved = async (who: Member) =>
  new Set(
    (await stack.query<{ me: { myList: { edges: { node: { content: { id: string } } }[] } } }>(LIST, {}, { token: who.token })).data!.me.myList.edges.map(
      (e) => e.node.content.id,
    ),
  );

describe('subgraphs behind the shared secret', () => {
  it('answer the gateway, and each other, but refuse a direct caller with FORBIDDEN', async () => {
    const response = await stack.query(ADD, { id: titles[0] }, { token: member.token });
    expect(response.errors).toBeUndefined();
    const direct = await fetch(stack.subgraphUrls['my-list']!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(direct.status).toBe(403);
    expect(await direct.json()).toEqual({
      errors: [{ message: 'This service answers the gateway only: send your request to the gateway.', extensions: { code: 'FORBIDDEN' } }],
    });
    const wrong = await graphql(stack.subgraphUrls.catalog!, '{ genres { id } }', {}, { headers: { [SUBGRAPH_SECRET_HEADER]: `${SECRET}-not` } });
    expect(errorCodes(wrong)).toEqual(['FORBIDDEN']);
    expect((await graphql(stack.subgraphUrls.catalog!, '{ genres { id } }', {}, { headers: { [SUBGRAPH_SECRET_HEADER]: SECRET } })).errors).toBeUndefined();
    expect((await fetch(new URL('/health/ready', stack.subgraphUrls.catalog!))).status).toBe(200);
  });
});

describe('a subgraph that goes down', () => {
  it('costs only its own fields, names no internals, loses no acknowledged write, and is used again once it is back', async () => {
    const writer = await signUp(stack, 'writer');
    const load = new WriteLoad(titles, (id) => stack.query(ADD, { id }, { token: writer.token }), 40).start();
    await eventually(async () => expect(load.acknowledged.length).toBeGreaterThan(3));
    await stack.stop('my-list');
    let partial;
    try {
      partial = await stack.query<{ genres: unknown[]; me: unknown }>(HOME, {}, { token: member.token });
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      await stack.restart('my-list');
    }
    expect(partial.status).toBe(200);
    expect(partial.data!.genres.length).toBeGreaterThan(0);
    expect(partial.data!.me).toBeNull();
    expect(errorCodes(partial)).toEqual(['INTERNAL_SERVER_ERROR']);
    expect(partial.errors![0]!.path).toEqual(['me']);
    expect(partial.errors![0]!.message).toMatch(/^Part of the graph is unavailable right now/);
    expectNoInternals(partial);
    await load.done();
    const full = await eventually(async () => {
      const response = await stack.query<{ me: { myListStats: { total: number } } }>(HOME, {}, { token: writer.token });
      expect(response.errors).toBeUndefined();
      return response.data!;
    });
    const stored = await saved(writer);
    expect(load.acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    expect(full.me.myListStats.total).toBe(stored.size);
  });
});

describe('a slow subgraph', () => {
  let link: SlowLink;
  const gateways: Service[] = [];
  const gatewayWith = async (env: NodeJS.ProcessEnv) => {
    const gateway = await startGateway({ ...stack.gatewayEnv, PORT: '0', MY_LIST_URL: link.url, ...env }, stack.supergraphSdl);
    gateways.push(gateway);
    return gateway.url;
  };

  beforeAll(async () => {
    link = await slowLink(stack.subgraphUrls['my-list']!);
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await link?.close();
  });

  for (const [label, env] of [
    ['its subgraph timeout', { SUBGRAPH_TIMEOUT_MS: '300' }],
    ['the request’s deadline', { SUBGRAPH_TIMEOUT_MS: '60000', REQUEST_TIMEOUT_MS: '400' }],
  ] as const) {
    it(`costs only its own fields, cut off at ${label}`, async () => {
      const url = await gatewayWith(env);
      link.delayMs = 3_000;
      const started = Date.now();
      const partial = await graphql<{ genres: unknown[]; me: unknown }>(url, HOME, {}, { token: member.token });
      const took = Date.now() - started;
      expect(took).toBeLessThan(link.delayMs);
      expect(partial.data!.genres.length).toBeGreaterThan(0);
      expect(partial.data!.me).toBeNull();
      // The home screen's `me` is planned through my-list (@shareable there): the error names it.
      expect(partial.errors!.map((e) => e.path)).toEqual([['me']]);
      expectNoInternals(partial);
      link.delayMs = 0;
      expect((await eventually(() => graphql(url, HOME, {}, { token: member.token }).then((r) => (expect(r.errors).toBeUndefined(), r)))).data).toBeTruthy();
    });
  }
});

describe('one request', () => {
  it('cannot hold up a neighbour: a refused bomb and heavy legal queries run while the neighbour is answered', async () => {
    const heavy = () =>
      stack.query(
        `{ ${Array.from({ length: 12 }, (_, i) => `s${i}: search(query: "${uniqueTag('q').slice(0, 10)}${i}", first: 100) { id title }`).join(' ')} }`,
      );
    const bomb = `{ ${Array.from({ length: 400 }, (_, i) => `a${i}: search(query: "a", first: 100) { id title }`).join(' ')} }`;
    let heavyDone = 0;
    const load = [heavy(), heavy(), heavy()].map((p) => p.then((r) => ((heavyDone = Date.now()), r)));
    const refused = await stack.query(bomb);
    expect(refused.status).toBe(400);
    let neighbourDone = 0;
    for (let i = 0; i < 5; i++) expect((await stack.query(`{ genres { id } featured(first: 3) { id } }`)).errors).toBeUndefined();
    neighbourDone = Date.now();
    for (const response of await Promise.all(load)) expect(response.errors).toBeUndefined();
    expect(neighbourDone).toBeLessThanOrEqual(heavyDone);
  });
});

describe('a service shutting down', () => {
  it('answers 503 to readiness from the moment it begins draining, while it still answers requests', async () => {
    const env = testEnv(uniqueTag('drain'), { SHUTDOWN_DRAIN_SECONDS: '1' });
    await seedCatalog(env);
    const catalog: Service = await catalogSubgraph.start(env);
    expect((await fetch(new URL('/health/ready', catalog.url))).status).toBe(200);
    const closing = catalog.close();
    const ready = await fetch(new URL('/health/ready', catalog.url));
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'draining' });
    expect((await graphql(catalog.url, '{ genres { id } }')).errors).toBeUndefined();
    await closing;
    await expect(fetch(new URL('/health/live', catalog.url))).rejects.toThrow();
  });
});
