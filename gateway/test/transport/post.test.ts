import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { until } from '@ott/kit/testing';
import { post } from '../../src/transport/post';
import { ClientGone, SubgraphCall, SubgraphTimeout } from '../../src/transport/subgraph-call';
import { ENTITIES, fetchOptions, requestContext, standInSubgraph, type StandInSubgraph } from '../support/stand-in-subgraph';

let subgraph: StandInSubgraph;
beforeAll(async () => void (subgraph = await standInSubgraph()));
afterAll(() => subgraph.close());
beforeEach(() => subgraph.reset());

const callOf = (query: string, timeoutMs = 1_000, signal?: AbortSignal) =>
  new SubgraphCall('catalog', fetchOptions(query, requestContext({ signal })), query, JSON.stringify({ query }), timeoutMs);

describe('the bare POST', () => {
  it('sends the body as JSON with its length, and nothing of the request the hooks did not add', async () => {
    const answer = await post(subgraph.url)(callOf(ENTITIES));
    expect(answer).toMatchObject({ status: 200, body: JSON.stringify({ data: { _entities: [{ id: '1', title: 'Alien' }] } }) });
    expect(subgraph.received[0]!.body).toEqual({ query: ENTITIES });
    expect(subgraph.received[0]!.headers).toMatchObject({
      'content-type': 'application/json',
      accept: 'application/json',
      'content-length': String(JSON.stringify({ query: ENTITIES }).length),
    });
    expect(subgraph.received[0]!.headers).not.toHaveProperty('authorization');
    expect(subgraph.received[0]!.headers).not.toHaveProperty('x-request-id');
  });

  it('sends calls one after another on the same keep-alive socket', async () => {
    const send = post(subgraph.url);
    for (let i = 0; i < 3; i += 1) await send(callOf(ENTITIES));
    expect(new Set(subgraph.received.map((r) => r.remotePort)).size).toBe(1);
  });

  it('answers any HTTP status with the Cache-Control it came with: judging it is not the transport’s job', async () => {
    subgraph.reply = () => ({ status: 503, body: 'busy', headers: { 'cache-control': 'no-store' } });
    await expect(post(subgraph.url)(callOf(ENTITIES))).resolves.toEqual({ status: 503, cacheControl: 'no-store', body: 'busy' });
  });

  it('is cut off at the call’s timeout', async () => {
    subgraph.reply = () => ({ status: 200, body: '{}', delayMs: 2_000 });
    await expect(post(subgraph.url)(callOf(ENTITIES, 100))).rejects.toBeInstanceOf(SubgraphTimeout);
    await until(() => subgraph.abandoned === 1, 'the subgraph to see its request closed', 5_000);
  });

  it('is aborted by its signal, and the subgraph sees the connection close; no call is made once it is aborted', async () => {
    subgraph.reply = () => ({ status: 200, body: '{}', held: true });
    const client = new AbortController();
    const pending = post(subgraph.url)(callOf(ENTITIES, 5_000, client.signal));
    await until(() => subgraph.received.length === 1, 'the call to arrive', 5_000);
    client.abort();
    await expect(pending).rejects.toBeInstanceOf(ClientGone);
    await until(() => subgraph.abandoned === 1, 'the subgraph to see its request closed', 5_000);

    await expect(post(subgraph.url)(callOf(ENTITIES, 5_000, client.signal))).rejects.toBeInstanceOf(ClientGone);
    expect(subgraph.received).toHaveLength(1);
  });

  it('never takes a mutation’s client’s signal: a mutation runs to its answer', async () => {
    const client = new AbortController();
    const mutation = 'mutation { addToMyList(contentId: "1") { id } }';
    expect(callOf(mutation, 1_000, client.signal).signal).toBeUndefined();
    expect(callOf(ENTITIES, 1_000, client.signal).signal).toBe(client.signal);
  });
});
