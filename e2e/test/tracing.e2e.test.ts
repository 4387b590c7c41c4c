// First: tracing starts before the stack's modules load.
import { exporter, sdk } from './support/in-memory-tracing';
import { randomBytes } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testAccessToken } from '@ott/kit/testing';
import { seedCatalog } from './support/catalog-fixture';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let contentId: string;

const REQUEST_ID = 'ott.request_id';

beforeAll(async () => {
  stack = await startStack('tracing', ['catalog', 'my-list']);
  await seedCatalog(stack.subgraphEnvs.catalog!);
  const { data } = await stack.query<{ browse: { edges: { node: { id: string } }[] } }>(`{ browse(first: 1) { edges { node { id } } } }`);
  contentId = data!.browse.edges[0]!.node.id;
});

afterAll(async () => {
  await stack?.close();
  await sdk.shutdown();
});

const portOf = (url: string) => Number(new URL(url).port);
const isServer = (port: number) => (span: ReadableSpan) => span.kind === SpanKind.SERVER && span.attributes['server.port'] === port;
const isClientTo = (port: number) => (span: ReadableSpan) =>
  span.kind === SpanKind.CLIENT && typeof span.attributes['url.full'] === 'string' && portOf(span.attributes['url.full']) === port;
const dbSystem = (span: ReadableSpan) => span.attributes['db.system.name'] ?? span.attributes['db.system'];

/** Whether `span` sits under `ancestor` in the trace (through any number of spans between). */
function under(span: ReadableSpan, ancestor: ReadableSpan, spans: ReadableSpan[]): boolean {
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
  let parentId = span.parentSpanContext?.spanId;
  while (parentId) {
    if (parentId === ancestor.spanContext().spanId) return true;
    parentId = byId.get(parentId)?.parentSpanContext?.spanId;
  }
  return false;
}

async function spansOf(requestId: string, expected: (spans: ReadableSpan[]) => boolean): Promise<ReadableSpan[]> {
  for (let i = 0; i < 50; i += 1) {
    await sdk.provider.forceFlush();
    const spans = exporter.getFinishedSpans().filter((span) => span.attributes[REQUEST_ID] === requestId);
    if (expected(spans)) return spans;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return exporter.getFinishedSpans().filter((span) => span.attributes[REQUEST_ID] === requestId);
}

describe('traces', () => {
  it('follow one request from the gateway through my-list to MongoDB, Redis and catalog, in one trace carrying the request id', async () => {
    const requestId = `trace-${randomBytes(6).toString('hex')}`;
    const member = testAccessToken({ id: '64b7f0c2a1b2c3d4e5f60789', role: 'USER' });
    const response = await stack.query(
      `mutation AddForTrace($id: ID!) { addToMyList(contentId: $id) { id } }`,
      { id: contentId },
      { token: member, headers: { 'x-request-id': requestId } },
    );
    expect(response.errors).toBeUndefined();

    const gatewayPort = portOf(stack.gatewayUrl);
    const myListPort = portOf(stack.subgraphUrls['my-list']!);
    const catalogPort = portOf(stack.subgraphUrls.catalog!);
    const spans = await spansOf(
      requestId,
      (found) => found.some(isServer(gatewayPort)) && found.some(isServer(catalogPort)) && found.some(isServer(myListPort)),
    );

    const gatewayServer = spans.find(isServer(gatewayPort));
    const toMyList = spans.find(isClientTo(myListPort));
    const myListServer = spans.find(isServer(myListPort));
    expect(gatewayServer, 'gateway server span').toBeDefined();
    expect(toMyList, 'gateway → my-list client span').toBeDefined();
    expect(myListServer, 'my-list server span').toBeDefined();
    // Between them, @apollo/gateway's own spans (gateway.request, gateway.execute, gateway.fetch).
    expect(under(toMyList!, gatewayServer!, spans)).toBe(true);
    // W3C trace context crossed the hop: the subgraph's server span is the client span's child.
    expect(myListServer!.parentSpanContext?.spanId).toBe(toMyList!.spanContext().spanId);

    const mongo = spans.filter((span) => dbSystem(span) === 'mongodb' && under(span, myListServer!, spans));
    const redis = spans.filter((span) => dbSystem(span) === 'redis' && under(span, myListServer!, spans));
    expect(mongo.length, 'a MongoDB span under my-list').toBeGreaterThan(0);
    expect(redis.length, 'a Redis span under my-list').toBeGreaterThan(0);

    // my-list asks catalog whether the title exists (callSubgraph): that hop is joined too.
    const toCatalog = spans.find((span) => isClientTo(catalogPort)(span) && under(span, myListServer!, spans));
    const catalogServer = spans.find(isServer(catalogPort));
    expect(toCatalog, 'my-list → catalog client span').toBeDefined();
    expect(catalogServer!.parentSpanContext?.spanId).toBe(toCatalog!.spanContext().spanId);

    const traceIds = new Set(spans.map((span) => span.spanContext().traceId));
    expect(traceIds.size).toBe(1);
    // Every span of the trace carries the request id, but the test's own fetch that began it.
    const trace = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === gatewayServer!.spanContext().traceId);
    const untagged = trace.filter((span) => span.attributes[REQUEST_ID] !== requestId);
    expect(untagged.map((span) => span.spanContext().spanId)).toEqual([gatewayServer!.parentSpanContext!.spanId]);
  });
});
