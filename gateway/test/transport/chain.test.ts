import { GraphQLError } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { subgraphSource } from '../../src/transport/chain';
import { SubgraphSource } from '../../src/transport/subgraph-source';
import { ENTITIES, fetchOptions, requestContext, standInSubgraph, type StandInSubgraph } from '../support/stand-in-subgraph';

let subgraph: StandInSubgraph;
beforeAll(async () => void (subgraph = await standInSubgraph()));
afterAll(() => subgraph.close());
beforeEach(() => subgraph.reset());

describe('a hook switched off', () => {
  it('dedup: identical queries in flight are each sent', async () => {
    const on = subgraphSource({ name: 'catalog', url: subgraph.url, timeoutMs: 1_000 });
    await Promise.all(Array.from({ length: 3 }, () => on.process(fetchOptions(ENTITIES))));
    expect(subgraph.received).toHaveLength(1);

    const off = subgraphSource({ name: 'catalog', url: subgraph.url, timeoutMs: 1_000, dedup: false });
    await Promise.all(Array.from({ length: 3 }, () => off.process(fetchOptions(ENTITIES))));
    expect(subgraph.received).toHaveLength(4);
  });

  it('every hook: the bare POST sends no credentials nor deadline, is cut off only at the subgraph timeout, and fails with its own error', async () => {
    const bare = new SubgraphSource({ name: 'catalog', url: subgraph.url, timeoutMs: 1_000, hooks: [] });
    subgraph.reply = () => ({ status: 200, body: '{"data":{}}', delayMs: 300 });
    // With the deadline hook, a deadline 100 ms away would cut this 300 ms answer off.
    await expect(bare.process(fetchOptions(ENTITIES, requestContext({ deadline: Date.now() + 100 })))).resolves.toEqual({ data: {} });
    for (const header of ['authorization', 'x-request-id', 'x-request-deadline', 'x-forwarded-for'])
      expect(subgraph.received[0]!.headers).not.toHaveProperty(header);

    subgraph.reply = () => ({ status: 500, body: '{}' });
    const failure = await bare.process(fetchOptions(ENTITIES)).catch((error: unknown) => error);
    expect(failure).not.toBeInstanceOf(GraphQLError);
    expect(failure).toMatchObject({ message: 'HTTP 500 Internal Server Error' });
  });

  it('cache hints: the operation’s cache policy is left as it was', async () => {
    subgraph.reply = () => ({ status: 200, body: '{"data":{}}', headers: { 'cache-control': 'max-age=60, public' } });
    const hints: unknown[] = [];
    const incomingRequestContext = { overallCachePolicy: { restrict: (hint: unknown) => hints.push(hint) } };
    await subgraphSource({ name: 'catalog', url: subgraph.url, timeoutMs: 1_000 }).process(
      fetchOptions(ENTITIES, requestContext(), { incomingRequestContext }),
    );
    expect(hints).toEqual([{ maxAge: 60, scope: 'PUBLIC' }]);
    await new SubgraphSource({ name: 'catalog', url: subgraph.url, timeoutMs: 1_000, hooks: [] }).process(
      fetchOptions(ENTITIES, requestContext(), { incomingRequestContext }),
    );
    expect(hints).toHaveLength(1);
  });
});

describe('a feature’s hook', () => {
  it('sees each call prepared, with its request’s context, before it is sent', async () => {
    const seen = new WeakMap<object, string[]>();
    const context = requestContext();
    seen.set(context, []);
    const features = [{ prepare: ({ context: of, subgraph: name }: { context: object; subgraph: string }) => seen.get(of)?.push(name) }];
    subgraph.reply = () => ({ status: 500, body: '{}' });
    await expect(subgraphSource({ name: 'ratings', url: subgraph.url, timeoutMs: 1_000, features }).process(fetchOptions(ENTITIES, context))).rejects.toThrow(
      'the ratings subgraph did not answer',
    );
    expect(seen.get(context)).toEqual(['ratings']);
  });
});
