import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'graphql';
import { start as startGateway, type GatewayService } from '@ott/gateway';
import possibleTypesResult from '../../schema/possible-types';
import { seedCatalog } from './support/catalog-fixture';
import { heldLink, type HeldLink } from './support/held-link';
import { startStack, type Stack } from './support/stack';

// @defer through the gateway, against the real subgraphs: averageRating is the ratings
// subgraph's, the rest of a title is catalog's, so the planner defers a ratings fetch.

const FEATURED = `query FeaturedRatings { featured { id title ... @defer(label: "rating") { averageRating } } }`;
const DEFER_ACCEPT = 'multipart/mixed;deferSpec=20220824,application/graphql-response+json,application/json;q=0.9';

interface Title {
  id: string;
  title: string;
  averageRating?: number | null;
}

let stack: Stack;
let featured: Title[];
let rated: string;

const post = (url: string, query: string, accept: string, variables: Record<string, unknown> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify({ query, variables }) });

/** The parts of a multipart/mixed body with boundary "-", as JSON, checking the framing on the way. */
function multipartParts(body: string): Record<string, unknown>[] {
  expect(body.startsWith('\r\n---\r\n')).toBe(true);
  expect(body.endsWith('\r\n-----\r\n')).toBe(true);
  const chunks = body.slice('\r\n---\r\n'.length, -'\r\n-----\r\n'.length).split('\r\n---\r\n');
  return chunks.map((chunk) => {
    const [head, json] = chunk.split('\r\n\r\n');
    expect(head).toBe('content-type: application/json; charset=utf-8');
    return JSON.parse(json!) as Record<string, unknown>;
  });
}

beforeAll(async () => {
  stack = await startStack('defer', ['users', 'catalog', 'ratings']);
  await seedCatalog(stack.subgraphEnvs.catalog!);
  const registered = await stack.query<{ register: { accessToken: string } }>(`mutation ($input: RegisterInput!) { register(input: $input) { accessToken } }`, {
    input: { email: 'defer-rater@example.test', password: 'a long enough password', displayName: 'Rater' },
  });
  const token = registered.data!.register.accessToken;
  const titles = await stack.query<{ featured: Title[] }>(`{ featured { id title } }`);
  featured = titles.data!.featured;
  expect(featured.length).toBeGreaterThan(1);
  rated = featured[0]!.id;
  const rating = await stack.query(`mutation ($id: ID!) { rateContent(contentId: $id, score: 8) { id } }`, { id: rated }, { token });
  expect(rating.errors).toBeUndefined();
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

describe('@defer over multipart/mixed (deferSpec=20220824)', () => {
  it('sends the primary part, then the deferred fields of each title at its path, framed as multipart/mixed', async () => {
    const response = await post(stack.gatewayUrl, FEATURED, DEFER_ACCEPT);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('multipart/mixed; boundary="-"; deferSpec=20220824');
    // Its later parts may hold a member's own data, unknown when the headers go out: no cache keeps it.
    expect(response.headers.get('cache-control')).toBe('no-store');
    const [initial, ...rest] = multipartParts(await response.text());
    expect(initial).toEqual({ data: { featured: featured.map(({ id, title }) => ({ id, title })) }, hasNext: true });
    expect(rest.length).toBeGreaterThan(0);
    expect(rest.at(-1)!.hasNext).toBe(false);
    for (const part of rest.slice(0, -1)) expect(part.hasNext).toBe(true);
    const items = rest.flatMap((part) => part.incremental as { data: Title; path: (string | number)[]; label?: string }[]);
    expect(items.map((item) => item.path)).toEqual(expect.arrayContaining(featured.map((_, i) => ['featured', i])));
    expect(items).toHaveLength(featured.length);
    for (const item of items) {
      expect(item.label).toBe('rating');
      expect(Object.keys(item.data)).toEqual(['averageRating']);
    }
    expect(items.find((item) => item.path[1] === 0)!.data.averageRating).toBe(8);
  });

  it("calls each subgraph once per fetch of the plan: the deferred part does not send the primary part's call again", async () => {
    const calls = async (subgraph: string) => {
      const text = await (await fetch(stack.gateway.metricsUrl)).text();
      const line = text.split('\n').find((l) => l.startsWith(`gateway_subgraph_fetch_duration_seconds_count{subgraph="${subgraph}",outcome="ok"}`));
      return line ? Number(line.split(' ').at(-1)) : 0;
    };
    const before = { catalog: await calls('catalog'), ratings: await calls('ratings') };
    const parts = multipartParts(await (await post(stack.gatewayUrl, FEATURED, DEFER_ACCEPT)).text());
    expect(parts.at(-1)!.hasNext).toBe(false);
    expect({ catalog: (await calls('catalog')) - before.catalog, ratings: (await calls('ratings')) - before.ratings }).toEqual({ catalog: 1, ratings: 1 });
  });

  it('answers a client that takes only JSON with every field in one answer', async () => {
    const response = await post(stack.gatewayUrl, FEATURED, 'application/json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as { data: { featured: Title[] }; hasNext?: boolean };
    expect(body.hasNext).toBeUndefined();
    expect(body.data.featured[0]).toEqual({ ...featured[0], averageRating: 8 });
  });

  it('answers a mutation using @defer in one part, whatever the client accepts', async () => {
    const mutation = `mutation ($input: RegisterInput!) { register(input: $input) { user { id ... @defer { displayName } } } }`;
    const input = { email: 'defer-mutation@example.test', password: 'a long enough password', displayName: 'Deferred' };
    const response = await post(stack.gatewayUrl, mutation, DEFER_ACCEPT, { input });
    expect(response.headers.get('content-type')).toMatch(/^application\/(graphql-response\+)?json/);
    const body = (await response.json()) as { data: { register: { user: { id: string; displayName: string } } } };
    expect(body.data.register.user.displayName).toBe('Deferred');
  });

  it('refuses a client that takes neither JSON nor the deferSpec=20220824 parts, saying what to send', async () => {
    const response = await post(stack.gatewayUrl, FEATURED, 'multipart/mixed');
    expect(response.status).toBe(406);
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('BAD_REQUEST');
    expect(body.errors[0]!.message).toContain('multipart/mixed;deferSpec=20220824');
  });

  it('delivers nested and conditional @defer in order, and none when `if` is false', async () => {
    const nested = `query ($later: Boolean!) { featured(first: 2) { id ... @defer { title ... @defer(if: $later) { averageRating } } } }`;
    const parts = multipartParts(await (await post(stack.gatewayUrl, nested, DEFER_ACCEPT, { later: true })).text());
    expect(parts[0]).toEqual({ data: { featured: featured.slice(0, 2).map(({ id }) => ({ id })) }, hasNext: true });
    const items = parts.slice(1).flatMap((part) => part.incremental as { data: Record<string, unknown>; path: unknown[] }[]);
    const titlesAt = items.findIndex((item) => 'title' in item.data);
    const ratingsAt = items.findIndex((item) => 'averageRating' in item.data);
    expect(titlesAt).toBeGreaterThanOrEqual(0);
    expect(ratingsAt).toBeGreaterThan(titlesAt);
    expect(items.filter((item) => 'averageRating' in item.data)).toHaveLength(2);

    const inline = await post(stack.gatewayUrl, nested, DEFER_ACCEPT, { later: false });
    const inlineParts = multipartParts(await inline.text());
    const inlineItems = inlineParts.slice(1).flatMap((part) => part.incremental as { data: Record<string, unknown> }[]);
    expect(inlineItems.every((item) => 'title' in item.data && 'averageRating' in item.data)).toBe(true);
  });

  it("defers, for one document, the fragments whose `if` holds for each request's variables", async () => {
    const query = `query Either($a: Boolean!, $b: Boolean!) { featured(first: 1) { id ... @defer(if: $a) { title } ... @defer(if: $b) { averageRating } } }`;
    const { id, title } = featured[0]!;
    const first = multipartParts(await (await post(stack.gatewayUrl, query, DEFER_ACCEPT, { a: true, b: false })).text());
    expect(first[0]).toEqual({ data: { featured: [{ id, averageRating: 8 }] }, hasNext: true });
    expect(first[1]).toEqual({ incremental: [{ data: { title }, path: ['featured', 0] }], hasNext: false });
    const second = multipartParts(await (await post(stack.gatewayUrl, query, DEFER_ACCEPT, { a: false, b: true })).text());
    expect(second[0]).toEqual({ data: { featured: [{ id, title }] }, hasNext: true });
    expect(second[1]).toEqual({ incremental: [{ data: { averageRating: 8 }, path: ['featured', 0] }], hasNext: false });
  });

  it('defers named fragments, aliases and type conditions as the client wrote them', async () => {
    const query = `query { featured(first: 2) { id ...Rated @defer(label: "rated") ... on Movie @defer(label: "film") { minutes: runtimeMinutes } } }
      fragment Rated on Content { score: averageRating ratingsCount }`;
    const parts = multipartParts(await (await post(stack.gatewayUrl, query, DEFER_ACCEPT)).text());
    expect(parts[0]).toEqual({ data: { featured: featured.slice(0, 2).map(({ id }) => ({ id })) }, hasNext: true });
    const items = parts.slice(1).flatMap((part) => part.incremental as { data: Record<string, unknown>; path: unknown[]; label: string }[]);
    const rated = items.filter((item) => item.label === 'rated');
    expect(rated.map((item) => item.path)).toEqual(
      expect.arrayContaining([
        ['featured', 0],
        ['featured', 1],
      ]),
    );
    for (const item of rated) expect(Object.keys(item.data).sort()).toEqual(['ratingsCount', 'score']);
    expect(rated.find((item) => item.path[1] === 0)!.data).toEqual({ score: 8, ratingsCount: 1 });
    const films = items.filter((item) => item.label === 'film');
    expect(films).toHaveLength(2);
    for (const item of films) expect(item.data).toEqual({ minutes: expect.any(Number) });
  });

  it('ends after the primary part when a deferred fragment has nowhere to go', async () => {
    const response = await post(stack.gatewayUrl, `{ content(id: "000000000000000000000000") { id ... @defer { averageRating } } }`, DEFER_ACCEPT);
    const parts = multipartParts(await response.text());
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatchObject({ data: { content: null }, hasNext: false });
  });

  it('nulls the deferred fields of a subgraph that does not answer, with a masked error in their part', async () => {
    const broken = await startGateway({ ...stack.gatewayEnv, PORT: '0', RATINGS_URL: 'http://127.0.0.1:1/graphql' }, stack.supergraphSdl);
    try {
      const parts = multipartParts(await (await post(broken.url, FEATURED, DEFER_ACCEPT)).text());
      expect(parts[0]).toEqual({ data: { featured: featured.map(({ id, title }) => ({ id, title })) }, hasNext: true });
      const items = parts
        .slice(1)
        .flatMap((part) => part.incremental as { data: Title; errors?: { message: string; path: unknown[]; extensions: { code: string } }[] }[]);
      expect(items.map((item) => item.data)).toEqual(featured.map(() => ({ averageRating: null })));
      const errors = items.flatMap((item) => item.errors ?? []);
      expect(errors.length).toBeGreaterThan(0);
      for (const error of errors) {
        expect(error.extensions.code).toBe('INTERNAL_SERVER_ERROR');
        expect(error.path).toEqual(['featured', expect.any(Number), 'averageRating']);
      }
      expect(JSON.stringify(errors)).not.toMatch(/127\.0\.0\.1|ECONN|serviceName|stack/);
    } finally {
      await broken.close();
    }
  });

  it('spends the request budget once per deferred request, and refuses past it with 429', async () => {
    const budgeted = await startGateway(
      { ...stack.gatewayEnv, PORT: '0', REDIS_KEY_PREFIX: `${stack.gatewayEnv.REDIS_KEY_PREFIX ?? ''}budget:`, GATEWAY_REQUESTS_PER_MINUTE_ANONYMOUS: '2' },
      stack.supergraphSdl,
    );
    try {
      for (let i = 0; i < 2; i += 1) expect(multipartParts(await (await post(budgeted.url, FEATURED, DEFER_ACCEPT)).text()).at(-1)!.hasNext).toBe(false);
      const refused = await post(budgeted.url, FEATURED, DEFER_ACCEPT);
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('RATE_LIMITED');
    } finally {
      await budgeted.close();
    }
  });

  it('still applies the limits to a deferred query: depth, aliases and cost refuse it before anything runs', async () => {
    const deep = `{ featured { ... @defer { genres { id } } } }`;
    const tooDeep = await startGateway({ ...stack.gatewayEnv, PORT: '0', MAX_QUERY_DEPTH: '2' }, stack.supergraphSdl);
    try {
      const refused = await post(tooDeep.url, deep, DEFER_ACCEPT);
      expect(refused.status).toBe(400);
      const body = (await refused.json()) as { errors: { extensions: { code: string; limit: string } }[] };
      expect(body.errors[0]!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'depth' });
    } finally {
      await tooDeep.close();
    }
    const aliases = `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: featured(first: 1) { id }`).join(' ')} ... @defer { featured { id } } }`;
    const byAliases = (await (await post(stack.gatewayUrl, aliases, DEFER_ACCEPT)).json()) as { errors: { extensions: { limit: string } }[] };
    expect(byAliases.errors[0]!.extensions.limit).toBe('aliases');
    const costly = `{ featured(first: 100) { id ... @defer { similar(first: 100) { id } } } }`;
    const byCost = await post(stack.gatewayUrl, costly, DEFER_ACCEPT);
    expect(byCost.status).toBe(400);
    expect(((await byCost.json()) as { errors: { extensions: { limit: string } }[] }).errors[0]!.extensions.limit).toBe('cost');
  });
});

describe('@defer with Apollo Client 4', () => {
  let held: HeldLink;
  let gateway: GatewayService;

  beforeAll(async () => {
    // A second gateway over the same subgraphs, whose calls to ratings are held back until released.
    held = await heldLink(stack.subgraphUrls.ratings!);
    // One operation at a time per client: the deferred query holds its slot until its last part.
    gateway = await startGateway({ ...stack.gatewayEnv, PORT: '0', RATINGS_URL: held.url, GATEWAY_CONCURRENT_OPERATIONS_PER_CLIENT: '1' }, stack.supergraphSdl);
  });

  afterAll(async () => {
    await gateway?.close();
    await held?.close();
  });

  it('gets the titles while ratings has not answered yet, and averageRating in a later part', async () => {
    const { ApolloClient, HttpLink, InMemoryCache } = await import('@apollo/client');
    const { Defer20220824Handler } = await import('@apollo/client/incremental');
    const client = new ApolloClient({
      link: new HttpLink({ uri: gateway.url }),
      cache: new InMemoryCache({ possibleTypes: possibleTypesResult.possibleTypes }),
      incrementalHandler: new Defer20220824Handler(),
    });
    const results: { data?: { featured: Title[] }; dataState?: string }[] = [];
    const failures: unknown[] = [];
    const subscription = client
      .watchQuery<{ featured: Title[] }>({ query: parse(FEATURED), fetchPolicy: 'no-cache' })
      .subscribe({ next: (result) => results.push(result as (typeof results)[number]), error: (error: unknown) => failures.push(error) });
    const until = async (check: () => boolean) => {
      const deadline = Date.now() + 10_000;
      while (!check()) {
        if (failures.length) throw failures[0];
        if (Date.now() > deadline) throw new Error(`timed out; received ${JSON.stringify(results)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    try {
      // The primary part arrives while the ratings call is made and held.
      await until(() => results.some((result) => result.data?.featured));
      await until(() => held.requests > 0);
      const first = results.find((result) => result.data?.featured)!;
      expect(first.dataState).toBe('streaming');
      expect(first.data!.featured.map((title) => title.title)).toEqual(featured.map((title) => title.title));
      expect(first.data!.featured.every((title) => title.averageRating === undefined)).toBe(true);
      // Its slot is still taken: another operation of the same client waits for it.
      const meanwhile = await post(gateway.url, `{ featured { id } }`, 'application/json');
      expect(meanwhile.status).toBe(429);
      expect(((await meanwhile.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('RATE_LIMITED');

      held.release();
      await until(() => results.at(-1)?.dataState === 'complete');
      const last = results.at(-1)!;
      expect(last.data!.featured.find((title) => title.id === rated)!.averageRating).toBe(8);
      expect(results.indexOf(first)).toBeLessThan(results.indexOf(last));
      // The last part sent, the slot is free again.
      expect((await post(gateway.url, `{ featured { id } }`, 'application/json')).status).toBe(200);
    } finally {
      subscription.unsubscribe();
      client.stop();
    }
  });
});
