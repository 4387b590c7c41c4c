import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Types } from 'mongoose';
import WebSocket from 'ws';
import type { Service } from '@ott/kit';
import { errorCodes, graphql, logCapture, testAccessToken } from '@ott/kit/testing';
import { start as startGateway } from '@ott/gateway';
import { subgraphModule } from '@ott/gateway/subgraphs';
import { seedCatalog } from './support/catalog-fixture';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let production: Service;
let productionCatalog: Service;
const productionLogs = logCapture();

/** Every refusal is JSON with a GraphQL error and a code, and shows nothing of the server. */
async function expectCleanRefusal(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const text = await response.text();
  expect(text).not.toMatch(/node_modules|\/work\/|at [A-Za-z]+ \(|<html|stack/i);
  const body = JSON.parse(text) as { errors: { message: string; extensions: { code: string } }[] };
  expect(body.errors).toHaveLength(1);
  expect(body.errors[0]!.extensions.code).toBe(code);
  return body.errors[0]!;
}

const post = (url: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(url, { method: 'POST', headers, body });

beforeAll(async () => {
  stack = await startStack('hardening', ['users', 'catalog', 'my-list']);
  await seedCatalog(stack.subgraphEnvs.catalog!);
  production = await startGateway(
    { ...stack.gatewayEnv, NODE_ENV: 'production', PORT: '0', LOG_LEVEL: 'info' },
    stack.supergraphSdl,
    productionLogs.destination,
  );
  const catalog = (await import(subgraphModule('catalog', 'index'))) as { start(env: NodeJS.ProcessEnv): Promise<Service> };
  productionCatalog = await catalog.start({ ...stack.subgraphEnvs.catalog, NODE_ENV: 'production', PORT: '0' });
});
afterAll(async () => {
  await productionCatalog?.close();
  await production?.close();
  await stack?.close();
});

describe('malformed requests', () => {
  for (const mode of ['development', 'production'] as const) {
    it(`are refused as JSON GraphQL errors with a code and no stack (${mode})`, async () => {
      const url = mode === 'production' ? production.url : stack.gatewayUrl;
      expect((await expectCleanRefusal(await post(url, '{"query": '), 400, 'BAD_REQUEST')).message).toMatch(/must be a JSON object/);
      await expectCleanRefusal(await post(url, '"just a string"'), 400, 'BAD_REQUEST');
      expect(
        (await expectCleanRefusal(await post(url, JSON.stringify({ query: `{ genres { id } } #${'x'.repeat(1_100_000)}` })), 413, 'BAD_REQUEST')).message,
      ).toMatch(/larger than 1 MB/);
      await expectCleanRefusal(await post(url, '{ genres { id } }', { 'content-type': 'text/plain' }), 400, 'BAD_REQUEST');
      await expectCleanRefusal(await post(url, JSON.stringify([{ query: '{ genres { id } }' }, { query: '{ genres { id } }' }])), 400, 'BAD_REQUEST');
      const getMutation = await fetch(`${url}?query=${encodeURIComponent('mutation { logout(refreshToken: "x") }')}`, {
        headers: { 'apollo-require-preflight': '1' },
      });
      await expectCleanRefusal(getMutation, 405, 'BAD_REQUEST');
      await expectCleanRefusal(await fetch(new URL('/nowhere', url)), 404, 'NOT_FOUND');
    });
  }
});

/** A JSON body with `variables.v` nested `depth` levels deep, written out: JSON.stringify would run out of stack first. */
const deeplyNested = (query: string, open: string, close: string, depth: number) =>
  `{"query":${JSON.stringify(query)},"variables":{"v":${open.repeat(depth)}"x"${close.repeat(depth)}}}`;

describe('documents the server cannot run as sent', () => {
  for (const mode of ['development', 'production'] as const) {
    it(`are the client's error, 400 with a code, never a 500 (${mode})`, async () => {
      const url = mode === 'production' ? production.url : stack.gatewayUrl;
      const severalOperations = await post(url, JSON.stringify({ query: 'query A { genres { id } } query B { featured { id } }' }));
      expect((await expectCleanRefusal(severalOperations, 400, 'OPERATION_RESOLUTION_FAILURE')).message).toMatch(/operationName/);
      await expectCleanRefusal(
        await post(url, JSON.stringify({ query: 'query A { genres { id } }', operationName: 'B' })),
        400,
        'OPERATION_RESOLUTION_FAILURE',
      );
      const filter = 'query ($v: ContentFilter) { browse(filter: $v, first: 1) { totalCount } }';
      await expectCleanRefusal(await post(url, deeplyNested(filter, '{"kind":', '}', 5_000)), 400, 'BAD_USER_INPUT');
      await expectCleanRefusal(await post(url, deeplyNested(filter, '[', ']', 5_000)), 400, 'BAD_USER_INPUT');
      // Even when the document does not use them.
      await expectCleanRefusal(await post(url, deeplyNested('{ genres { id } }', '{"a":', '}', 5_000)), 400, 'BAD_USER_INPUT');
      const overGet = await fetch(
        `${url}?query=${encodeURIComponent('{ genres { id } }')}&variables=${encodeURIComponent(`{"v":${'['.repeat(1_000)}1${']'.repeat(1_000)}}`)}`,
        { headers: { 'apollo-require-preflight': '1' } },
      );
      await expectCleanRefusal(overGet, 400, 'BAD_USER_INPUT');
    });
  }

  it('are refused over WebSocket too, with the same code', async () => {
    const socket = new WebSocket(stack.gatewayUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const replies: { type: string; id?: string; payload?: unknown }[] = [];
    socket.on('message', (data: Buffer) => replies.push(JSON.parse(data.toString()) as (typeof replies)[number]));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      const token = testAccessToken({ id: new Types.ObjectId().toHexString(), role: 'USER' });
      socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
      socket.on('message', () => replies.some((r) => r.type === 'connection_ack') && resolve());
    });
    const variables = `{"v":${'{"kind":'.repeat(5_000)}1${'}'.repeat(5_000)}}`;
    socket.send(`{"id":"deep","type":"subscribe","payload":{"query":"{ genres { id } }","variables":${variables}}}`);
    const deadline = Date.now() + 10_000;
    while (!replies.some((r) => r.id === 'deep') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    socket.close();
    expect(replies.find((r) => r.id === 'deep')).toMatchObject({
      type: 'error',
      payload: [{ extensions: { code: 'BAD_USER_INPUT', limit: 'variablesDepth' } }],
    });
  });

  it('log no error and no stack for them', () => {
    expect(productionLogs.lines.length).toBeGreaterThan(0);
    const logged = JSON.stringify(productionLogs.lines);
    expect(logged).not.toMatch(/Maximum call stack|\\n\s+at |"level":"(error|fatal)"/);
  });

  it('suggest no field names in production, at the gateway and at a subgraph', async () => {
    const typo = { query: '{ browze(first: 1) { totalCount } }' };
    const gateway = await expectCleanRefusal(await post(production.url, JSON.stringify(typo)), 400, 'GRAPHQL_VALIDATION_FAILED');
    expect(gateway.message).not.toMatch(/did you mean|browse/i);
    const subgraph = await expectCleanRefusal(await post(productionCatalog.url, JSON.stringify(typo)), 400, 'GRAPHQL_VALIDATION_FAILED');
    expect(subgraph.message).not.toMatch(/did you mean|browse/i);
    // Outside production, the hint stays.
    const development = await expectCleanRefusal(await post(stack.gatewayUrl, JSON.stringify(typo)), 400, 'GRAPHQL_VALIDATION_FAILED');
    expect(development.message).toMatch(/Did you mean "browse"\?/);
  });
});

describe('operations past the limits', () => {
  it('are refused with HTTP 400 before any subgraph is called, saying which limit and by how much', async () => {
    const aliases = await stack.query(`{ ${Array.from({ length: 30 }, (_, i) => `a${i}: genres { id }`).join(' ')} }`);
    expect(aliases.status).toBe(400);
    expect(aliases.errors).toEqual([
      { message: 'The operation uses 30 aliases; the limit is 20.', extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'aliases', max: 20, found: 30 } },
    ]);
    const cost = await stack.query(`{ ${['a', 'b', 'c'].map((a) => `${a}: browse(first: 100) { edges { node { similar(first: 10) { id } } } }`).join(' ')} }`);
    expect(cost.status).toBe(400);
    expect(cost.errors?.[0]).toMatchObject({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'cost', max: 5000, found: 5415 } });
    const tokens = await stack.query(`{ ${Array.from({ length: 400 }, (_, i) => `a${i}: search(query: "a", first: 100) { id title }`).join(' ')} }`);
    expect(tokens.status).toBe(400);
    expect(errorCodes(tokens)).toEqual(['GRAPHQL_PARSE_FAILED']);
  });
});

describe('refusals passed on from subgraphs', () => {
  it('answer a signed-out write as UNAUTHENTICATED, naming neither the subgraph nor its URL', async () => {
    const { browse } = (await stack.query<{ browse: { edges: { node: { id: string } }[] } }>(`{ browse(first: 1) { edges { node { id } } } }`)).data!;
    const response = await stack.query(`mutation ($id: ID!) { addToMyList(contentId: $id) { id } }`, { id: browse.edges[0]!.node.id });
    expect(response.status).toBe(200);
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]).toMatchObject({
      message: 'Sign in to do this: send a valid access token as "Authorization: Bearer <token>".',
      path: ['addToMyList'],
    });
    expect(response.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED' });
  });

  it('are GraphQL errors with HTTP 200 between the gateway and a subgraph, also for a token that does not verify', async () => {
    const direct = await graphql(
      stack.subgraphUrls['my-list']!,
      `
        {
          me {
            myListStats {
              total
            }
          }
        }
      `,
      {},
      { token: 'not.a.token' },
    );
    expect(direct.status).toBe(200);
    expect(errorCodes(direct)).toEqual(['UNAUTHENTICATED']);
    const viaGateway = await stack.query(`{ me { id } }`, {}, { token: 'not.a.token' });
    expect(viaGateway.status).toBe(401);
    expect(viaGateway.errors).toEqual([{ message: 'The access token is invalid: sign in again.', extensions: { code: 'UNAUTHENTICATED' } }]);
  });
});
