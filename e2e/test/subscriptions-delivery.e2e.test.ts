import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start as startGateway } from '@ott/gateway';
import { startGatewayProcess } from './support/live';
import { MINE, startLiveStack, UPDATED, type LiveStack, type SessionEvent } from './support/live-stack';
import { dataOf, heartbeat, started, stop, subscriber, type CatalogIds } from './support/playback';
import type { Stack } from './support/stack';

// What subscriptions deliver, to whom, across gateway processes and at shutdown; connecting is in subscriptions-connecting.e2e.test.ts.
let live: LiveStack;
let stack: Stack;
let catalog: CatalogIds;
const connect: LiveStack['connect'] = (...args) => live.connect(...args);

beforeAll(async () => {
  live = await startLiveStack('live_delivery');
  ({ stack, catalog } = live);
});
afterAll(() => live?.close());

describe('playbackSessionUpdated', () => {
  it('delivers each heartbeat with fields from streaming, catalog, users and ratings, in order, then the end', async () => {
    const viewer = await subscriber(stack, 'PREMIUM');
    const movie = catalog.movies.find((m) => m.genres.length > 0)!;
    dataOf(await stack.query(`mutation ($id: ID!) { rateContent(contentId: $id, score: 8) { id } }`, { id: movie.id }, { token: viewer.token }));
    const session = await started(stack, viewer, { contentId: movie.id });
    const live = connect(viewer).subscribe<{
      session: SessionEvent & { content: { title: string; genres: { name: string }[]; myRating: { score: number } }; user: { displayName: string } };
    }>(
      `subscription Watch($id: ID!) { session: playbackSessionUpdated(sessionId: $id) {
        id state positionSeconds version
        content { title genres { name } myRating { score } }
        user { displayName }
      } }`,
      { id: session.id },
    );
    await new Promise((r) => setTimeout(r, 300));
    for (const [i, position] of [10, 20, 30].entries()) {
      dataOf(await heartbeat(stack, viewer, session.id, position));
      await live.received(i + 1);
    }
    dataOf(await stop(stack, viewer, session.id));
    await live.ended();
    const events = live.results.map((result) => result.data!.session);
    expect(events.map((e) => [e.version, e.state, e.positionSeconds])).toEqual([
      [2, 'PLAYING', 10],
      [3, 'PLAYING', 20],
      [4, 'PLAYING', 30],
      [5, 'ENDED', 30],
    ]);
    expect(events[0]).toMatchObject({
      content: { title: movie.title, myRating: { score: 8 } },
      user: { displayName: expect.stringMatching(/^viewer/) as string },
    });
    expect(events[0]!.content.genres.map((g) => g.name)).toEqual(movie.genres);
    expect(live.completed).toBe(true);
  });

  it('coalesces a burst faster than its answers into the latest state: in order, never repeated, the end always delivered', async () => {
    const viewer = await subscriber(stack, 'BASIC');
    const session = await started(stack, viewer, { contentId: catalog.movies[8]!.id });
    const live = connect(viewer).subscribe<{ playbackSessionUpdated: SessionEvent }>(UPDATED, { id: session.id });
    await new Promise((r) => setTimeout(r, 300));
    await Promise.all(Array.from({ length: 10 }, (_, i) => heartbeat(stack, viewer, session.id, i + 1)));
    dataOf(await stop(stack, viewer, session.id));
    await live.ended();
    const versions = live.results.map((r) => r.data!.playbackSessionUpdated.version);
    expect(versions.length).toBeGreaterThan(0);
    expect([...versions].sort((x, y) => x - y)).toEqual(versions);
    expect(new Set(versions).size).toBe(versions.length);
    expect(live.results.at(-1)!.data!.playbackSessionUpdated).toMatchObject({ state: 'ENDED', version: 12 });
  });

  it('refuses another member’s session with NOT_FOUND and sends them nothing', async () => {
    const owner = await subscriber(stack, 'BASIC');
    const other = await subscriber(stack, 'BASIC');
    const session = await started(stack, owner, { contentId: catalog.movies[2]!.id });
    const live = connect(other).subscribe(UPDATED, { id: session.id });
    await live.ended();
    expect(live.errors).toMatchObject([[{ extensions: { code: 'NOT_FOUND' } }]]);
    dataOf(await heartbeat(stack, owner, session.id, 5));
    await new Promise((r) => setTimeout(r, 300));
    expect(live.results).toEqual([]);
  });

  it('shares one execution per event among identical subscriptions of one member', async () => {
    const viewer = await subscriber(stack, 'BASIC');
    const session = await started(stack, viewer, { contentId: catalog.movies[3]!.id });
    const before = stack.gateway.subscriptionStats()!;
    const client = connect(viewer);
    const same = [
      client.subscribe<{ playbackSessionUpdated: SessionEvent }>(UPDATED, { id: session.id }),
      client.subscribe<{ playbackSessionUpdated: SessionEvent }>(UPDATED, { id: session.id }),
    ];
    const other = client.subscribe<{ playbackSessionUpdated: { version: number } }>(
      `subscription ($id: ID!) { playbackSessionUpdated(sessionId: $id) { version } }`,
      { id: session.id },
    );
    await new Promise((r) => setTimeout(r, 300));
    const during = stack.gateway.subscriptionStats()!;
    expect(during.subscriptions - before.subscriptions).toBe(3);
    expect(during.executions - before.executions).toBe(2);
    dataOf(await heartbeat(stack, viewer, session.id, 1));
    for (const live of [...same, other]) expect((await live.received(1))[0]!.data).toBeTruthy();
    expect(same[0]!.results).toEqual(same[1]!.results);
  });

  it('serves a subscriber on one gateway process from a mutation sent through another', async () => {
    const viewer = await subscriber(stack, 'BASIC');
    const session = await started(stack, viewer, { contentId: catalog.movies[4]!.id });
    const second = await startGatewayProcess(stack);
    try {
      const live = connect(viewer, second.url).subscribe<{ playbackSessionUpdated: SessionEvent }>(UPDATED, { id: session.id });
      await new Promise((r) => setTimeout(r, 300));
      dataOf(await heartbeat(stack, viewer, session.id, 42));
      expect((await live.received(1))[0]!.data!.playbackSessionUpdated).toMatchObject({ id: session.id, positionSeconds: 42, version: 2 });
    } finally {
      await second.stop();
    }
  });
});

describe('myPlaybackSessions', () => {
  it('delivers starts, heartbeats, pauses and stops of every session of the member, and nobody else’s', async () => {
    const viewer = await subscriber(stack, 'STANDARD');
    const stranger = await subscriber(stack, 'BASIC');
    const live = connect(viewer).subscribe<{ myPlaybackSessions: SessionEvent }>(MINE);
    await new Promise((r) => setTimeout(r, 300));
    const a = await started(stack, viewer, { contentId: catalog.movies[5]!.id });
    const b = await started(stack, viewer, { contentId: catalog.movies[6]!.id });
    await started(stack, stranger, { contentId: catalog.movies[7]!.id });
    dataOf(await heartbeat(stack, viewer, a.id, 60, 'PAUSED'));
    dataOf(await heartbeat(stack, viewer, b.id, 30));
    dataOf(await stop(stack, viewer, a.id));
    const events = (await live.received(5)).map((r) => r.data!.myPlaybackSessions);
    const of = (id: string) => events.filter((e) => e.id === id).map((e) => [e.version, e.state]);
    expect(of(a.id)).toEqual([
      [1, 'PLAYING'],
      [2, 'PAUSED'],
      [3, 'ENDED'],
    ]);
    expect(of(b.id)).toEqual([
      [1, 'PLAYING'],
      [2, 'PLAYING'],
    ]);
    expect(events).toHaveLength(5);
    expect(live.completed).toBe(false);
  });
});

describe('shutting down', () => {
  it('completes open subscriptions, then closes the sockets with 1001', async () => {
    const viewer = await subscriber(stack, 'BASIC');
    const gateway = await startGateway({ ...stack.gatewayEnv, PORT: '0' }, stack.supergraphSdl);
    const client = connect(viewer, gateway.url);
    const live = client.subscribe(MINE);
    await new Promise((r) => setTimeout(r, 300));
    await gateway.close();
    await live.ended();
    expect(live.completed).toBe(true);
    expect((await client.closed()).code).toBe(1001);
  });
});
