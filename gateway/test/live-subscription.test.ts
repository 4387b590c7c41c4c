import { parse, print, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { PlaybackEvent } from '@ott/events';
import { createLogger } from '@ott/kit';
import { liveQueryOf } from '../src/subscriptions/live-query';
import { LiveSubscription, SharedExecution, type Connection } from '../src/subscriptions/live-subscription';

const logger = createLogger('test', 'silent');
const connection = { user: { id: 'u1', role: 'USER' } } as Connection;
const updated = liveQueryOf(parse(`subscription ($id: ID!) { playbackSessionUpdated(sessionId: $id) { version } }`), undefined, { id: 's1' });
const event = (version: number, kind: PlaybackEvent['kind'] = 'UPDATED', sessionId = 's1'): PlaybackEvent => ({ sessionId, userId: 'u1', version, kind });

async function collect(subscription: LiveSubscription, count: number): Promise<ExecutionResult[]> {
  const out: ExecutionResult[] = [];
  for await (const result of subscription.results(async () => undefined)) {
    out.push(result);
    if (out.length === count) break;
  }
  return out;
}

describe('a subscription as a query', () => {
  it('reads playbackSession(id:) under the subscription’s own response key, keeping only the variables it still uses', () => {
    const live = liveQueryOf(
      parse(
        `subscription Watch($id: ID!, $n: Int) { mine: playbackSessionUpdated(sessionId: $id) { ...F content { similar(first: $n) { id } } } } fragment F on PlaybackSession { state }`,
      ),
      'Watch',
      { id: 's9', n: 3, unused: true },
    );
    expect(live).toMatchObject({ field: 'playbackSessionUpdated', sessionId: 's9', variables: { n: 3 }, operationName: 'Watch' });
    const printed = print(live.document);
    expect(printed).toContain('query Watch($n: Int, $liveSessionId: ID!)');
    expect(printed).toContain('mine: playbackSession(id: $liveSessionId)');
    expect(printed).toContain('fragment F on PlaybackSession');
  });

  it('gives equal selections and variables one fingerprint, and different ones another', () => {
    const doc = `subscription ($id: ID!) { playbackSessionUpdated(sessionId: $id) { version } }`;
    expect(liveQueryOf(parse(doc), undefined, { id: 'a' }).fingerprint).toBe(liveQueryOf(parse(doc), undefined, { id: 'a' }).fingerprint);
    expect(liveQueryOf(parse(doc), undefined, { id: 'b' }).fingerprint).not.toBe(liveQueryOf(parse(doc), undefined, { id: 'a' }).fingerprint);
  });
});

describe('one execution shared by its subscribers', () => {
  it('runs announcements in order, coalesces those that arrive while one runs, and drops stale versions', async () => {
    const runs: number[] = [];
    let state = 1;
    let release: () => void = () => undefined;
    // Each run reads the state as it is when it starts, as the query through the graph would.
    const execution = new SharedExecution(
      'k',
      updated,
      async () => {
        const read = state;
        runs.push(read);
        if (runs.length === 1) await new Promise<void>((resolve) => (release = resolve));
        return { data: { playbackSessionUpdated: { version: read } } };
      },
      logger,
    );
    const subscriber = new LiveSubscription(connection, updated, 10, () => undefined);
    execution.subscribers.add(subscriber);
    execution.onEvent(event(2));
    // While the first run is under way, three more arrive and one is stale: one more run answers them.
    state = 5;
    execution.onEvent(event(3));
    execution.onEvent(event(5));
    execution.onEvent(event(4));
    release();
    const results = await collect(subscriber, 2);
    expect(results.map((r) => (r.data as { playbackSessionUpdated: { version: number } }).playbackSessionUpdated.version)).toEqual([1, 5]);
    expect(runs).toEqual([1, 5]);
  });

  it('does not repeat an identical answer, and the end completes the subscription', async () => {
    const answers = [7, 7, 8];
    const execution = new SharedExecution('k', updated, async () => ({ data: { playbackSessionUpdated: { version: answers.shift() } } }), logger);
    const subscriber = new LiveSubscription(connection, updated, 10, () => undefined);
    execution.subscribers.add(subscriber);
    for (const [version, kind] of [
      [6, 'UPDATED'],
      [7, 'UPDATED'],
      [8, 'ENDED'],
    ] as const) {
      execution.onEvent(event(version, kind));
      await new Promise((r) => setTimeout(r, 10));
    }
    const results: ExecutionResult[] = [];
    for await (const result of subscriber.results(async () => undefined)) results.push(result);
    expect(results.map((r) => (r.data as { playbackSessionUpdated: { version: number } }).playbackSessionUpdated.version)).toEqual([7, 8]);
  });

  it('completes without repeating itself when an earlier run already read the end', async () => {
    const execution = new SharedExecution('k', updated, async () => ({ data: { playbackSessionUpdated: { version: 9, state: 'ENDED' } } }), logger);
    const subscriber = new LiveSubscription(connection, updated, 10, () => undefined);
    execution.subscribers.add(subscriber);
    execution.onEvent(event(8));
    await new Promise((r) => setTimeout(r, 10));
    execution.onEvent(event(9, 'ENDED'));
    const results: ExecutionResult[] = [];
    for await (const result of subscriber.results(async () => undefined)) results.push(result);
    expect(results).toHaveLength(1);
  });
});

describe('a subscriber that reads too slowly', () => {
  it('is dropped once its queue is full, and gets nothing more', () => {
    let dropped = 0;
    const subscriber = new LiveSubscription(connection, updated, 3, () => (dropped += 1));
    for (let version = 1; version <= 5; version++) subscriber.push({ data: { version } }, event(version));
    expect(dropped).toBe(2);
  });
});

describe('a subscription that ends', () => {
  it('ends at once when returned while waiting for an update (a closed socket, a complete message), and leaves once', async () => {
    let left = 0;
    const subscriber = new LiveSubscription(connection, updated, 10, () => undefined).results(async () => {
      left += 1;
    });
    const waiting = subscriber.next();
    await expect(subscriber.return()).resolves.toEqual({ done: true, value: undefined });
    await expect(waiting).resolves.toEqual({ done: true, value: undefined });
    await subscriber.return();
    expect(left).toBe(1);
  });

  it('leaves when returned before it was ever read (its socket closed while it was set up)', async () => {
    let left = 0;
    const subscriber = new LiveSubscription(connection, updated, 10, () => undefined).results(async () => {
      left += 1;
    });
    await subscriber.return();
    expect(left).toBe(1);
    subscriber.push({ data: { version: 1 } }, event(1));
    await expect(subscriber.next()).resolves.toEqual({ done: true, value: undefined });
  });
});
