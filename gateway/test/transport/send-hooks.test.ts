import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { until } from '@ott/kit/testing';
import type { SubgraphCallOutcome } from '../../src/metrics';
import { callTiming } from '../../src/transport/call-timing';
import { sharedCalls } from '../../src/transport/shared-calls';
import type { SubgraphHook } from '../../src/transport/subgraph-call';
import { SubgraphSource } from '../../src/transport/subgraph-source';
import { ENTITIES, fetchOptions, requestContext, standInSubgraph, type StandInSubgraph } from '../support/stand-in-subgraph';

let subgraph: StandInSubgraph;
beforeAll(async () => void (subgraph = await standInSubgraph()));
afterAll(() => subgraph.close());
beforeEach(() => subgraph.reset());

const sourceWith = (hooks: SubgraphHook[], url = subgraph.url, timeoutMs = 1_000) => new SubgraphSource({ name: 'catalog', url, timeoutMs, hooks });
const MUTATION = 'mutation { addToMyList(contentId: "1") { id } }';

describe('the dedup hook', () => {
  it('sends identical queries of the same credentials once while one is in flight, and a mutation every time', async () => {
    const source = sourceWith([sharedCalls()]);
    await Promise.all(Array.from({ length: 5 }, () => source.process(fetchOptions(ENTITIES))));
    expect(subgraph.received).toHaveLength(1);
    await Promise.all([source.process(fetchOptions(ENTITIES, requestContext({ authorization: 'Bearer member-b' }))), source.process(fetchOptions(ENTITIES))]);
    expect(subgraph.received).toHaveLength(3);
    await Promise.all([source.process(fetchOptions(MUTATION)), source.process(fetchOptions(MUTATION))]);
    expect(subgraph.received).toHaveLength(5);
  });

  it('aborts the shared call only when its last caller’s client has gone', async () => {
    subgraph.reply = () => ({ status: 200, body: '{"data":{}}', held: true });
    const source = sourceWith([sharedCalls()], subgraph.url, 5_000);
    const clients = [new AbortController(), new AbortController()];
    const calls = clients.map((client) => source.process(fetchOptions(ENTITIES, requestContext({ signal: client.signal }))));
    await until(() => subgraph.received.length === 1, 'the shared call to arrive', 5_000);
    clients[0]!.abort();
    await expect(calls[0]).rejects.toThrow('the client closed the request');
    expect(subgraph.abandoned).toBe(0);
    clients[1]!.abort();
    await expect(calls[1]).rejects.toThrow('the client closed the request');
    await until(() => subgraph.abandoned === 1, 'the shared call to be aborted', 5_000);
  });
});

describe('the timing hook', () => {
  const recorder = () => {
    const seen: { outcome: SubgraphCallOutcome; seconds: number }[] = [];
    return { seen, hook: callTiming((outcome, seconds) => seen.push({ outcome, seconds })) };
  };

  it('reports each call by outcome: ok, http_error, timeout, error', async () => {
    const { seen, hook } = recorder();
    subgraph.reply = () => ({ status: 200, body: '{"data":{}}', delayMs: 100 });
    await sourceWith([hook]).process(fetchOptions(ENTITIES));
    subgraph.reply = () => ({ status: 502, body: '{}' });
    await expect(sourceWith([hook]).process(fetchOptions(ENTITIES))).rejects.toThrow('HTTP 502');
    subgraph.reply = () => ({ status: 200, body: '{}', delayMs: 1_000 });
    await expect(sourceWith([hook], subgraph.url, 50).process(fetchOptions(ENTITIES))).rejects.toThrow('no answer within 50 ms');
    await expect(sourceWith([hook], 'http://127.0.0.1:9/graphql').process(fetchOptions(ENTITIES))).rejects.toThrow();
    expect(seen.map((s) => s.outcome)).toEqual(['ok', 'http_error', 'timeout', 'error']);
    expect(seen[0]!.seconds).toBeGreaterThanOrEqual(0.09);
  });

  it('inside the dedup hook, times a shared call once, and not a call its clients abandoned', async () => {
    const { seen, hook } = recorder();
    const source = sourceWith([sharedCalls(), hook], subgraph.url, 5_000);
    await Promise.all(Array.from({ length: 5 }, () => source.process(fetchOptions(ENTITIES))));
    expect(seen).toHaveLength(1);

    subgraph.reply = () => ({ status: 200, body: '{}', held: true });
    const client = new AbortController();
    const call = source.process(fetchOptions(ENTITIES, requestContext({ signal: client.signal })));
    await until(() => subgraph.received.length === 2, 'the call to arrive', 5_000);
    client.abort();
    await expect(call).rejects.toThrow('the client closed the request');
    await until(() => subgraph.abandoned === 1, 'the call to be aborted', 5_000);
    expect(seen).toHaveLength(1);
  });
});
