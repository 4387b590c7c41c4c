import { gzipSync } from 'node:zlib';
import { GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGraphQLApp, createLogger, REQUEST_BODY_LIMIT_BYTES, SUBGRAPH_SECRET_HEADER, type RunningServer } from '../src';

// /graphql is served two ways: a plain JSON POST is read by the kit's own route, anything else
// (GET, a compressed body, another content type) by Express and its body parser. Both must
// answer alike: the same refusals, codes and request ids.
let server: RunningServer;
const SECRET = 'route-test-secret';
const seen: { clientAddress: string; userAgent?: string }[] = [];

beforeAll(async () => {
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { hello: { type: GraphQLString, resolve: () => 'world' } } }),
  });
  server = await createGraphQLApp({
    name: 'route-test',
    logger: createLogger('route-test', 'silent'),
    production: false,
    metrics: { host: '127.0.0.1', port: 0 },
    sharedSecret: SECRET,
    apollo: { schema },
    context: async (request, requestId) => {
      seen.push({ clientAddress: request.clientAddress(), userAgent: request.headers['user-agent'] });
      return { requestId };
    },
    readiness: {},
  }).listen('127.0.0.1', 0);
});
afterAll(async () => {
  await server?.close();
});

const withSecret = { 'content-type': 'application/json', [SUBGRAPH_SECRET_HEADER]: SECRET, 'apollo-require-preflight': '1' };
const hello = JSON.stringify({ query: '{ hello }' });

describe('/graphql', () => {
  it('answers a plain JSON POST, naming the request and giving the context the caller', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { ...withSecret, 'x-request-id': 'route-test-1', 'user-agent': 'route-test' },
      body: hello,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('route-test-1');
    expect(await response.json()).toEqual({ data: { hello: 'world' } });
    expect(seen.at(-1)).toEqual({ clientAddress: '127.0.0.1', userAgent: 'route-test' });
  });

  it('answers a compressed body and a GET through Express, alike', async () => {
    const gzipped = await fetch(server.url, { method: 'POST', headers: { ...withSecret, 'content-encoding': 'gzip' }, body: gzipSync(hello) });
    expect(await gzipped.json()).toEqual({ data: { hello: 'world' } });
    expect(gzipped.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const get = await fetch(`${server.url}?query=${encodeURIComponent('{ hello }')}`, { headers: withSecret });
    expect(await get.json()).toEqual({ data: { hello: 'world' } });
  });

  it('refuses callers without the shared secret on both ways, before reading the body', async () => {
    const plain = { 'content-type': 'application/json' };
    for (const [headers, body] of [
      [plain, hello],
      [{ ...plain, 'content-encoding': 'gzip' }, gzipSync(hello)],
    ] as const) {
      const response = await fetch(server.url, { method: 'POST', headers, body });
      expect(response.status).toBe(403);
      expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('FORBIDDEN');
    }
  });

  it('refuses a body over the limit sent without a length (chunked) with 413, as it does a declared one', async () => {
    const chunk = new TextEncoder().encode(' '.repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > REQUEST_BODY_LIMIT_BYTES * 2) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const response = await fetch(server.url, { method: 'POST', headers: withSecret, body, duplex: 'half' } as RequestInit);
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ errors: [{ message: 'The request body is larger than 1 MB.', extensions: { code: 'BAD_REQUEST' } }] });
    // The connection stays usable for the next request.
    expect(await (await fetch(server.url, { method: 'POST', headers: withSecret, body: hello })).json()).toEqual({ data: { hello: 'world' } });
  });

  it('refuses JSON that is not an object or an array, and JSON that does not parse, with 400', async () => {
    for (const body of ['42', '"a string"', '{"query": ']) {
      const response = await fetch(server.url, { method: 'POST', headers: withSecret, body });
      expect(response.status, body).toBe(400);
      expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('BAD_REQUEST');
    }
  });
});
