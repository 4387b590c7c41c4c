import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GatewayContext } from '../src/context';
import { subgraphSource } from '../src/transport/chain';
import type { SubgraphSource } from '../src/transport/subgraph-source';
import { until } from './support/live';

/** A subgraph stand-in on a real socket: answers after a pause, and records what it was sent. */
let server: Server;
let url: string;
let received: { headers: IncomingHttpHeaders; body: { query: string; variables?: unknown } }[];
let reply: (body: string) => { status: number; body: string; delayMs?: number; held?: boolean };
/** Answers held until the test releases them. */
let held: (() => void)[];
/** Requests of the current test whose connection closed before the stand-in answered them. */
let abandoned: { count: number };

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    const ofThisTest = abandoned;
    res.on('close', () => {
      if (!res.writableFinished) ofThisTest.count += 1;
    });
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(body) });
      const answer = reply(body);
      const send = () => res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      if (answer.held) return void held.push(send);
      setTimeout(() => res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body), answer.delayMs ?? 50);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

beforeEach(() => {
  received = [];
  abandoned = { count: 0 };
  held = [];
  reply = () => ({ status: 200, body: JSON.stringify({ data: { _entities: [{ id: '1', title: 'Alien' }] } }) });
});

const context = (overrides: Partial<GatewayContext> = {}): GatewayContext =>
  ({ requestId: 'r-1', user: null, authorization: 'Bearer member-a', deadline: Date.now() + 5_000, clientIp: '203.0.113.7', ...overrides }) as GatewayContext;

function call(source: SubgraphSource, query: string, ctx: GatewayContext = context()) {
  return source.process({ kind: 'health check', request: { query, variables: { representations: [{ __typename: 'Content', id: '1' }] } }, context: ctx } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>);
}


const ENTITIES = 'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Content { title } } }';

describe('calling a subgraph', () => {
  it('forwards the caller’s credentials, request id, deadline, address and the shared secret', async () => {
    const source = subgraphSource({ name: 'catalog', url, timeoutMs: 1_000, sharedSecret: 'between-services' });
    const deadline = Date.now() + 3_000;
    await call(source, ENTITIES, context({ deadline }));
    expect(received[0]!.headers).toMatchObject({
      authorization: 'Bearer member-a',
      'x-request-id': 'r-1',
      'x-request-deadline': String(deadline),
      'x-forwarded-for': '203.0.113.7',
      'x-subgraph-secret': 'between-services',
      'content-type': 'application/json',
    });
  });

  it('sends identical queries in flight once, and gives each caller its own copy of the answer', async () => {
    const source = subgraphSource({ name: 'catalog', url, timeoutMs: 1_000 });
    const answers = await Promise.all(Array.from({ length: 10 }, () => call(source, ENTITIES)));
    expect(received).toHaveLength(1);
    expect(new Set(answers.map((a) => JSON.stringify(a)))).toEqual(new Set([JSON.stringify({ data: { _entities: [{ id: '1', title: 'Alien' }] } })]));
    (answers[0]!.data as { _entities: { title: string }[] })._entities[0]!.title = 'changed by one caller';
    expect((answers[1]!.data as { _entities: { title: string }[] })._entities[0]!.title).toBe('Alien');

    await call(source, ENTITIES);
    expect(received).toHaveLength(2); // once answered, the next call is a call of its own
  });

  it('never shares between callers with different credentials, nor a mutation', async () => {
    const source = subgraphSource({ name: 'my-list', url, timeoutMs: 1_000 });
    await Promise.all([call(source, ENTITIES, context({ authorization: 'Bearer member-a' })), call(source, ENTITIES, context({ authorization: 'Bearer member-b' })), call(source, ENTITIES, context({ authorization: undefined }))]);
    expect(received.map((r) => r.headers.authorization)).toEqual(expect.arrayContaining(['Bearer member-a', 'Bearer member-b', undefined]));
    expect(received).toHaveLength(3);

    received = [];
    const mutation = 'mutation { addToMyList(contentId: "1") { id } }';
    await Promise.all([call(source, mutation), call(source, mutation)]);
    expect(received).toHaveLength(2);
  });

  it.each([
    ['answers HTTP 500', () => ({ status: 500, body: '{}' }), 'HTTP 500 Internal Server Error'],
    ['answers something that is not JSON', () => ({ status: 200, body: '<html>' }), 'the answer is not JSON'],
    ['answers after the subgraph timeout', () => ({ status: 200, body: '{"data":{}}', delayMs: 400 }), 'no answer within 100 ms'],
  ])('fails with SUBGRAPH_UNAVAILABLE naming the subgraph when it %s', async (_label, answer, cause) => {
    reply = answer;
    const source = subgraphSource({ name: 'ratings', url, timeoutMs: 100 });
    await expect(call(source, ENTITIES)).rejects.toMatchObject({
      message: `the ratings subgraph did not answer: ${cause}`,
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'ratings' },
    });
  });

  it('is cut off at the request’s deadline when that comes before the subgraph timeout', async () => {
    reply = () => ({ status: 200, body: '{"data":{}}', delayMs: 400 });
    const source = subgraphSource({ name: 'ratings', url, timeoutMs: 5_000 });
    // The stand-in answers after 400 ms: a call not cut off at 100 ms would get its answer.
    await expect(call(source, ENTITIES, context({ deadline: Date.now() + 100 }))).rejects.toMatchObject({ extensions: { code: 'SUBGRAPH_UNAVAILABLE' } });
  });

  it('fails with SUBGRAPH_UNAVAILABLE when nothing listens', async () => {
    const source = subgraphSource({ name: 'billing', url: 'http://127.0.0.1:9/graphql', timeoutMs: 1_000 });
    await expect(call(source, ENTITIES)).rejects.toMatchObject({ extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'billing' } });
  });
});

describe('a caller whose client went away', () => {
  const slowly = () => ({ status: 200, body: '{"data":{}}', delayMs: 3_000 });

  it('stops waiting at once, and its call is aborted: the subgraph sees the connection close', async () => {
    reply = slowly;
    const source = subgraphSource({ name: 'catalog', url, timeoutMs: 5_000 });
    const client = new AbortController();
    const pending = call(source, ENTITIES, context({ signal: client.signal }));
    await until(() => received.length === 1, 'the call to arrive', 5_000);
    client.abort();
    await expect(pending).rejects.toThrow('the client closed the request');
    await until(() => abandoned.count === 1, 'the subgraph to see its request abandoned', 5_000);
  });

  it('leaves a shared call to the callers still waiting, and aborts it when the last one leaves', async () => {
    reply = () => ({ status: 200, body: '{"data":{}}', held: true });
    const source = subgraphSource({ name: 'catalog', url, timeoutMs: 5_000 });
    const callers = () => {
      const signals = [new AbortController(), new AbortController()];
      return { signals, calls: signals.map((s) => call(source, ENTITIES, context({ signal: s.signal }))) };
    };

    const one = callers();
    await until(() => received.length === 1, 'the shared call to arrive', 5_000);
    one.signals[0]!.abort();
    await expect(one.calls[0]).rejects.toThrow('the client closed the request');
    held.shift()!();
    await expect(one.calls[1]).resolves.toEqual({ data: {} });
    expect(abandoned.count).toBe(0);

    const both = callers();
    await until(() => received.length === 2, 'the next shared call to arrive', 5_000);
    for (const signal of both.signals) signal.abort();
    await expect(Promise.allSettled(both.calls)).resolves.toMatchObject([{ status: 'rejected' }, { status: 'rejected' }]);
    await until(() => abandoned.count === 1, 'the shared call to be aborted', 5_000);
    expect(received).toHaveLength(2);
  });

  it('makes no call for a client already gone, and never abandons a mutation', async () => {
    const source = subgraphSource({ name: 'my-list', url, timeoutMs: 5_000 });
    const gone = new AbortController();
    gone.abort();
    await expect(call(source, ENTITIES, context({ signal: gone.signal }))).rejects.toThrow('the client closed the request');
    expect(received).toHaveLength(0);

    reply = () => ({ status: 200, body: '{"data":{"addToMyList":{"id":"1"}}}', delayMs: 300 });
    const leaving = new AbortController();
    const mutation = call(source, 'mutation { addToMyList(contentId: "1") { id } }', context({ signal: leaving.signal }));
    await until(() => received.length === 1, 'the mutation to arrive', 5_000);
    leaving.abort();
    await expect(mutation).resolves.toEqual({ data: { addToMyList: { id: '1' } } });
    expect(abandoned.count).toBe(0);
  });
});
