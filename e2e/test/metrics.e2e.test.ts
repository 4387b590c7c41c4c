import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_OPERATION_NAMES } from '@ott/kit';
import { testAccessToken } from '@ott/kit/testing';
import { liveClient } from './support/live';
import { seedCatalog } from './support/catalog-fixture';
import { startStack, type Stack } from './support/stack';

let stack: Stack;

/** One scrape, as Prometheus would: GET /metrics on the service's metrics listener. */
async function scrape(metricsUrl: string): Promise<string> {
  const response = await fetch(metricsUrl);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

/** The value of one series, by name and exact labels (in the order prom-client prints them). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const seriesOf = (text: string, name: string) => text.split('\n').filter((l) => l.startsWith(`${name}{`));

beforeAll(async () => {
  // Reads that reach catalog's Redis cache: not answered from the gateway's kept answers or catalog's copy in memory.
  stack = await startStack(
    'metrics',
    ['catalog'],
    { GATEWAY_REQUESTS_PER_MINUTE_ANONYMOUS: '100000', RESPONSE_CACHE_MAX_AGE_SECONDS: '0' },
    { catalog: { CATALOG_MEMORY_MAX_DOCUMENTS: '0' } },
  );
  await seedCatalog(stack.subgraphEnvs.catalog!);
});

afterAll(async () => {
  await stack?.close();
});

describe('/metrics', () => {
  it('is served on a loopback listener of its own, never on the public port', async () => {
    for (const [service, publicUrl] of [
      [stack.gateway, stack.gatewayUrl],
      [stack.services.catalog!, stack.subgraphUrls.catalog!],
    ] as const) {
      const metricsUrl = new URL(service.metricsUrl);
      expect(metricsUrl.hostname).toBe('127.0.0.1');
      expect(metricsUrl.port).not.toBe(new URL(publicUrl).port);
      const onPublicPort = await fetch(new URL('/metrics', publicUrl));
      expect(onPublicPort.status).toBe(404);
      expect(await onPublicPort.text()).not.toContain('graphql_requests_total');
      expect(await scrape(service.metricsUrl)).toContain('graphql_requests_total');
    }
  });

  it('counts a request under its operation name at the gateway and at the subgraph, with the subgraph call timed', async () => {
    const response = await stack.query(`query FeaturedRow { featured { title } }`);
    expect(response.errors).toBeUndefined();

    const gateway = await scrape(stack.gateway.metricsUrl);
    expect(sample(gateway, 'graphql_requests_total{operation="FeaturedRow",outcome="ok"}')).toBe(1);
    expect(sample(gateway, 'graphql_request_duration_seconds_count{operation="FeaturedRow"}')).toBe(1);
    expect(sample(gateway, 'gateway_subgraph_fetch_duration_seconds_count{subgraph="catalog",outcome="ok"}')).toBeGreaterThanOrEqual(1);
    expect(sample(gateway, 'gateway_subgraph_fetch_duration_seconds_sum{subgraph="catalog",outcome="ok"}')).toBeGreaterThan(0);
    // The default process metrics, and the subscription gauges with nobody subscribed.
    expect(sample(gateway, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sample(gateway, 'gateway_subscription_connections')).toBe(0);
    expect(sample(gateway, 'gateway_subscriptions_active')).toBe(0);

    // The gateway names its subgraph operations after the client's: FeaturedRow__catalog__0.
    const catalog = await scrape(stack.services.catalog!.metricsUrl);
    const counted = seriesOf(catalog, 'graphql_requests_total').filter((l) => l.includes('FeaturedRow'));
    expect(counted).toEqual([expect.stringMatching(/^graphql_requests_total\{operation="FeaturedRow__catalog__\d+",outcome="ok"\} 1$/)]);
  });

  it('counts cache hits and misses by cache, so a hit ratio can be computed', async () => {
    const before = await scrape(stack.services.catalog!.metricsUrl);
    const hits = sample(before, 'cache_lookups_total{cache="cache",result="hit"}') ?? 0;
    for (let i = 0; i < 2; i += 1) expect((await stack.query(`query FeaturedAgain { featured { title } }`)).errors).toBeUndefined();
    const after = await scrape(stack.services.catalog!.metricsUrl);
    expect(sample(after, 'cache_lookups_total{cache="cache",result="hit"}')).toBeGreaterThanOrEqual(hits + 2);
    expect(sample(after, 'cache_lookups_total{cache="cache",result="miss"}')).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'cache_failures_total{cache="cache"}')).toBe(0);
  });

  it("reports each stream consumer's pending entries and lag", async () => {
    const stream = `${stack.subgraphEnvs.catalog!.REDIS_KEY_PREFIX}events:rating-summaries`;
    let catalog = '';
    for (let i = 0; i < 50 && sample(catalog, `stream_consumer_pending_entries{stream="${stream}",group="catalog"}`) === undefined; i += 1) {
      catalog = await scrape(stack.services.catalog!.metricsUrl);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(sample(catalog, `stream_consumer_pending_entries{stream="${stream}",group="catalog"}`)).toBe(0);
    expect(sample(catalog, `stream_consumer_undelivered_entries{stream="${stream}",group="catalog"}`)).toBe(0);
    expect(sample(catalog, `stream_consumer_behind_seconds{stream="${stream}",group="catalog"}`)).toBe(0);
  });

  it('keeps operation names bounded: past the cap, and when too long, they count as "other"', async () => {
    const tooLong = `Q${'x'.repeat(80)}`;
    expect((await stack.query(`query ${tooLong} { featured { title } }`)).errors).toBeUndefined();
    for (let i = 0; i < MAX_OPERATION_NAMES + 10; i += 1) {
      expect((await stack.query(`query Distinct${i} { __typename }`)).errors).toBeUndefined();
    }
    const gateway = await scrape(stack.gateway.metricsUrl);
    const operations = new Set(seriesOf(gateway, 'graphql_requests_total').map((l) => /operation="([^"]*)"/.exec(l)![1]));
    expect(operations.size).toBe(MAX_OPERATION_NAMES + 1);
    expect(operations.has('other')).toBe(true);
    expect(operations.has(tooLong)).toBe(false);
    expect(sample(gateway, 'graphql_requests_total{operation="other",outcome="ok"}')).toBeGreaterThanOrEqual(11);
  });

  it('counts open subscription connections at the gateway', async () => {
    const gauge = async () => sample(await scrape(stack.gateway.metricsUrl), 'gateway_subscription_connections');
    const until = async (value: number) => {
      for (let i = 0; i < 50 && (await gauge()) !== value; i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
      return gauge();
    };
    const live = liveClient(stack.gatewayUrl, { authorization: `Bearer ${testAccessToken({ id: '64b7f0c2a1b2c3d4e5f60790', role: 'USER' })}` });
    expect(await until(1)).toBe(1);
    await live.dispose();
    expect(await until(0)).toBe(0);
  });

  it('shows neither query text nor variables', async () => {
    const response = await stack.query(`query Lookup($q: String!) { search(query: $q, first: 1) { title } }`, { q: 'secret-variable-value' });
    expect(response.errors).toBeUndefined();
    for (const text of [await scrape(stack.gateway.metricsUrl), await scrape(stack.services.catalog!.metricsUrl)]) {
      expect(text).not.toContain('secret-variable-value');
      expect(text).not.toContain('search(');
    }
  });
});
