import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { until } from '@ott/kit/testing';
import type { GatewayContext } from '../src/context';
import { subgraphSource } from '../src/transport/chain';
import type { SubgraphSource } from '../src/transport/subgraph-source';
import { ENTITIES, fetchOptions, requestContext as context, standInSubgraph, type StandInSubgraph } from './support/stand-in-subgraph';

/** The gateway's whole chain of hooks, against a subgraph stand-in on a real socket. */
let subgraph: StandInSubgraph;
beforeAll(async () => void (subgraph = await standInSubgraph()));
afterAll(() => subgraph.close());
beforeEach(() => subgraph.reset());

const call = (source: SubgraphSource, query: string, ctx: GatewayContext = context()) => source.process(fetchOptions(query, ctx));

describe('calling a subgraph', () => {
  it('forwards the caller’s credentials, request id, deadline, address and the shared secret', async () => {
    const source = subgraphSource({ name: 'catalog', url: subgraph.url, timeoutMs: 1_000, sharedSecret: 'between-services' });
    const deadline = Date.now() + 3_000;
    await call(source, ENTITIES, context({ deadline }));
    expect(subgraph.received[0]!.headers).toMatchObject({
      authorization: 'Bearer member-a',
      'x-request-id': 'r-1',
      'x-request-deadline': String(deadline),
      'x-forwarded-for': '203.0.113.7',
      'x-subgraph-secret': 'between-services',
      'content-type': 'application/json',
    });
  });

  it('sends identical queries in flight once, and gives each caller its own copy of the answer', async () => {
    const source = subgraphSource({ name: 'catalog', url: subgraph.url, timeoutMs: 1_000 });
    const answers = await Promise.all(Array.from({ length: 10 }, () => call(source, ENTITIES)));
    expect(subgraph.received).toHaveLength(1);
    expect(new Set(answers.map((a) => JSON.stringify(a)))).toEqual(new Set([JSON.stringify({ data: { _entities: [{ id: '1', title: 'Alien' }] } })]));
    (answers[0]!.data as { _entities: { title: string }[] })._entities[0]!.title = 'changed by one caller';
    expect((answers[1]!.data as { _entities: { title: string }[] })._entities[0]!.title).toBe('Alien');

    await call(source, ENTITIES);
    expect(subgraph.received).toHaveLength(2); // once answered, the next call is a call of its own
  });

  it('never shares between callers with different credentials, nor a mutation', async () => {
    const source = subgraphSource({ name: 'my-list', url: subgraph.url, timeoutMs: 1_000 });
    await Promise.all([
      call(source, ENTITIES, context({ authorization: 'Bearer member-a' })),
      call(source, ENTITIES, context({ authorization: 'Bearer member-b' })),
      call(source, ENTITIES, context({ authorization: undefined })),
    ]);
    expect(subgraph.received.map((r) => r.headers.authorization)).toEqual(expect.arrayContaining(['Bearer member-a', 'Bearer member-b', undefined]));
    expect(subgraph.received).toHaveLength(3);

    subgraph.received.length = 0;
    const mutation = 'mutation { addToMyList(contentId: "1") { id } }';
    await Promise.all([call(source, mutation), call(source, mutation)]);
    expect(subgraph.received).toHaveLength(2);
  });

  it.each([
    ['answers HTTP 500', () => ({ status: 500, body: '{}' }), 'HTTP 500 Internal Server Error'],
    ['answers something that is not JSON', () => ({ status: 200, body: '<html>' }), 'the answer is not JSON'],
    ['answers after the subgraph timeout', () => ({ status: 200, body: '{"data":{}}', delayMs: 400 }), 'no answer within 100 ms'],
  ])('fails with SUBGRAPH_UNAVAILABLE naming the subgraph when it %s', async (_label, answer, cause) => {
    subgraph.reply = answer;
    const source = subgraphSource({ name: 'ratings', url: subgraph.url, timeoutMs: 100 });
    await expect(call(source, ENTITIES)).rejects.toMatchObject({
      message: `the ratings subgraph did not answer: ${cause}`,
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'ratings' },
    });
  });

  it('is cut off at the request’s deadline when that comes before the subgraph timeout', async () => {
    subgraph.reply = () => ({ status: 200, body: '{"data":{}}', delayMs: 400 });
    const source = subgraphSource({ name: 'ratings', url: subgraph.url, timeoutMs: 5_000 });
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
    subgraph.reply = slowly;
    const source = subgraphSource({ name: 'catalog', url: subgraph.url, timeoutMs: 5_000 });
    const client = new AbortController();
    const pending = call(source, ENTITIES, context({ signal: client.signal }));
    await until(() => subgraph.received.length === 1, 'the call to arrive', 5_000);
    client.abort();
    await expect(pending).rejects.toThrow('the client closed the request');
    await until(() => subgraph.abandoned === 1, 'the subgraph to see its request abandoned', 5_000);
  });

  it('leaves a shared call to the callers still waiting, and aborts it when the last one leaves', async () => {
    subgraph.reply = () => ({ status: 200, body: '{"data":{}}', held: true });
    const source = subgraphSource({ name: 'catalog', url: subgraph.url, timeoutMs: 5_000 });
    const callers = () => {
      const signals = [new AbortController(), new AbortController()];
      return { signals, calls: signals.map((s) => call(source, ENTITIES, context({ signal: s.signal }))) };
    };

    const one = callers();
    await until(() => subgraph.received.length === 1, 'the shared call to arrive', 5_000);
    one.signals[0]!.abort();
    await expect(one.calls[0]).rejects.toThrow('the client closed the request');
    subgraph.release();
    await expect(one.calls[1]).resolves.toEqual({ data: {} });
    expect(subgraph.abandoned).toBe(0);

    const both = callers();
    await until(() => subgraph.received.length === 2, 'the next shared call to arrive', 5_000);
    for (const signal of both.signals) signal.abort();
    await expect(Promise.allSettled(both.calls)).resolves.toMatchObject([{ status: 'rejected' }, { status: 'rejected' }]);
    await until(() => subgraph.abandoned === 1, 'the shared call to be aborted', 5_000);
    expect(subgraph.received).toHaveLength(2);
  });

  it('makes no call for a client already gone, and never abandons a mutation', async () => {
    const source = subgraphSource({ name: 'my-list', url: subgraph.url, timeoutMs: 5_000 });
    const gone = new AbortController();
    gone.abort();
    await expect(call(source, ENTITIES, context({ signal: gone.signal }))).rejects.toThrow('the client closed the request');
    expect(subgraph.received).toHaveLength(0);

    subgraph.reply = () => ({ status: 200, body: '{"data":{"addToMyList":{"id":"1"}}}', delayMs: 300 });
    const leaving = new AbortController();
    const mutation = call(source, 'mutation { addToMyList(contentId: "1") { id } }', context({ signal: leaving.signal }));
    await until(() => subgraph.received.length === 1, 'the mutation to arrive', 5_000);
    leaving.abort();
    await expect(mutation).resolves.toEqual({ data: { addToMyList: { id: '1' } } });
    expect(subgraph.abandoned).toBe(0);
  });
});
