import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Types } from 'mongoose';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { errorCodes, graphql, testAccessToken, testEnv, uniqueTag, until, type GraphQLResponse } from '@ott/kit/testing';
import { composeSupergraph } from '../src/compose';
import { start as startGateway, type GatewayService } from '../src/index';

/**
 * The gateway in front of a stand-in subgraph on a real socket, which holds its answers until
 * the test releases them and counts the requests whose connection closed before their answer:
 * what a client's departure and a client's concurrency do to the gateway's subgraph calls.
 */
const STAND_IN_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Query { slow(tag: String!): String }
`;

let standIn: Server;
let received: { headers: IncomingHttpHeaders; body: string }[];
let held: (() => void)[];
let abandoned: { count: number };
let gateway: GatewayService;
const sockets: Client[] = [];

beforeAll(async () => {
  standIn = createServer((req, res) => {
    let body = '';
    const ofThisTest = abandoned;
    res.on('close', () => {
      if (!res.writableFinished) ofThisTest.count += 1;
    });
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      held.push(() => {
        if (!res.headersSent && !res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { slow: 'answered' } }));
      });
    });
  });
  await new Promise<void>((resolve) => standIn.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(standIn.address() as AddressInfo).port}/graphql`;
  const { supergraphSdl } = composeSupergraph([{ name: 'catalog', url, sdl: STAND_IN_SDL }]);
  gateway = await startGateway(
    testEnv(uniqueTag('clientlimits'), {
      TRUST_PROXY: 'loopback',
      // Past every wait of this file: a call closed here was abandoned, not cut at a deadline.
      REQUEST_TIMEOUT_MS: '60000',
      SUBGRAPH_TIMEOUT_MS: '60000',
      GATEWAY_CONCURRENT_OPERATIONS_PER_CLIENT: '2',
      GATEWAY_REQUESTS_PER_MINUTE_MEMBER: '5',
    }),
    supergraphSdl,
  );
});

afterAll(async () => {
  for (const release of held) release();
  await Promise.all(sockets.map((client) => Promise.resolve(client.dispose())));
  await gateway?.close();
  standIn.closeAllConnections();
  await new Promise((resolve) => standIn.close(resolve));
});

beforeEach(() => {
  for (const release of held ?? []) release();
  received = [];
  held = [];
  abandoned = { count: 0 };
});

const member = () => testAccessToken({ id: new Types.ObjectId().toHexString(), role: 'USER' });
const SLOW = (tag: string) => `{ slow(tag: "${tag}") }`;

/** A graphql-ws client signed in as `token`, its upgrade request carrying `headers`. */
function socketOf(token: string, headers: Record<string, string> = {}): Client {
  class WithHeaders extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  }
  const client = createClient({
    url: gateway.url.replace(/^http/, 'ws'),
    webSocketImpl: WithHeaders,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    shouldRetry: () => false,
  });
  sockets.push(client);
  return client;
}

type Outcome = { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };

/** One operation over a socket: its result, or the protocol's error (a refused operation). */
function overSocket(client: Client, query: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    let outcome: Outcome | undefined;
    client.subscribe(
      { query },
      {
        next: (result) => (outcome = result as Outcome),
        error: (error) => (Array.isArray(error) ? resolve({ errors: error as Outcome['errors'] }) : reject(error as Error)),
        complete: () => resolve(outcome ?? {}),
      },
    );
  });
}

function expectRateLimited(response: GraphQLResponse<unknown>) {
  expect(response.status).toBe(429);
  expect(errorCodes(response)).toEqual(['RATE_LIMITED']);
  expect(response.errors![0]!.extensions!.retryAfterSeconds).toBe(1);
  expect(response.headers.get('retry-after')).toBe('1');
}

describe('a client that goes away', () => {
  it('has its HTTP request’s subgraph call aborted: the subgraph sees the connection close', async () => {
    const client = new AbortController();
    const request = graphql(gateway.url, SLOW('abandoned'), {}, { token: member() });
    void request.catch(() => undefined);
    const abandonedRequest = fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${member()}` },
      body: JSON.stringify({ query: SLOW('left') }),
      signal: client.signal,
    });
    void abandonedRequest.catch(() => undefined);
    await until(() => received.length === 2, 'both calls to reach the subgraph');
    client.abort();
    await until(() => abandoned.count === 1, 'the subgraph to see the abandoned call close');
    // The client that stayed is still answered.
    for (const release of held) release();
    expect((await request).data).toEqual({ slow: 'answered' });
    expect(abandoned.count).toBe(1);
  });

  it('has its WebSocket query’s subgraph call aborted when the socket closes', async () => {
    const client = socketOf(member());
    void overSocket(client, SLOW('socket')).catch(() => undefined);
    await until(() => received.length === 1, 'the call to reach the subgraph');
    await client.dispose();
    await until(() => abandoned.count === 1, 'the subgraph to see the abandoned call close');
  });
});

describe('a client’s concurrency (GATEWAY_CONCURRENT_OPERATIONS_PER_CLIENT=2)', () => {
  it('refuses a client’s third operation at once, over HTTP and WebSocket, with RATE_LIMITED and a retry hint, while another client is served', async () => {
    const [busy, neighbour] = [member(), member()];
    const running = [graphql(gateway.url, SLOW('one'), {}, { token: busy }), graphql(gateway.url, SLOW('two'), {}, { token: busy })];
    await until(() => received.length === 2, 'both operations to reach the subgraph');

    expectRateLimited(await graphql(gateway.url, SLOW('three'), {}, { token: busy }));
    const overWebSocket = await overSocket(socketOf(busy), SLOW('four'));
    expect(overWebSocket.errors).toMatchObject([{ extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 1 } }]);
    expect(received).toHaveLength(2);

    const served = graphql(gateway.url, SLOW('neighbour'), {}, { token: neighbour });
    await until(() => received.length === 3, 'the neighbour’s operation to reach the subgraph');
    for (const release of held) release();
    expect((await served).data).toEqual({ slow: 'answered' });
    for (const response of await Promise.all(running)) expect(response.data).toEqual({ slow: 'answered' });

    // Answered, its slots are free again.
    const again = graphql(gateway.url, SLOW('again'), {}, { token: busy });
    await until(() => received.length === 4, 'the next operation to reach the subgraph');
    held.at(-1)!();
    expect((await again).data).toEqual({ slow: 'answered' });
  });
});

describe('queries over WebSocket', () => {
  it('spend the member’s request budget, refused past it with the same RATE_LIMITED as over HTTP', async () => {
    const token = member();
    const client = socketOf(token);
    for (let i = 0; i < 5; i++) expect(await overSocket(client, '{ __typename }'), `query ${i + 1}`).toEqual({ data: { __typename: 'Query' } });
    const refused = await overSocket(client, '{ __typename }');
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(refused.errors![0]!.message).toMatch(/^Too many requests: try again in \d+ seconds?\.$/);
    expect(refused.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // One budget: HTTP is refused for the same member too.
    const overHttp = await graphql(gateway.url, '{ __typename }', {}, { token });
    expect(overHttp.status).toBe(429);
    expect(errorCodes(overHttp)).toEqual(['RATE_LIMITED']);
  });

  it('carry the client’s address as TRUST_PROXY reads the upgrade request', async () => {
    const client = socketOf(member(), { 'x-forwarded-for': '203.0.113.9' });
    const answer = overSocket(client, SLOW('address'));
    await until(() => received.length === 1, 'the call to reach the subgraph');
    held[0]!();
    expect((await answer).data).toEqual({ slow: 'answered' });
    expect(received[0]!.headers['x-forwarded-for']).toBe('203.0.113.9');
  });
});
