import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { errorCodes, testAccessToken, uniqueTag, until } from '@ott/kit/testing';
import { start as startGateway } from '@ott/gateway';
import { seedCatalog } from './support/catalog-fixture';
import { liveClient, startGatewayProcess, type LiveClient } from './support/live';
import { catalogIds, dataOf, heartbeat, started, stop, subscriber, type CatalogIds, type Member } from './support/playback';
import { startStack, type Stack } from './support/stack';

const tag = uniqueTag('live');
const LIMITS = { SUBSCRIPTIONS_PER_CONNECTION: '3', WS_CONNECTIONS_PER_MEMBER: '2', WS_KEEPALIVE_SECONDS: '1' };

let stack: Stack;
let catalog: CatalogIds;
const clients: LiveClient[] = [];

/** A graphql-ws client closed after the file, signed in as `who` unless told otherwise. */
function connect(who: Member | null, url = stack.gatewayUrl, params?: Record<string, unknown>): LiveClient {
  const client = liveClient(url, params ?? (who ? { authorization: `Bearer ${who.token}` } : {}));
  clients.push(client);
  return client;
}

/** A graphql-ws subscriber spoken by hand over `ws`, so the test can destroy its TCP connection. */
async function rawSubscriber(token: string, query: string): Promise<WebSocket> {
  const socket = new WebSocket(stack.gatewayUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.on('message', (data: Buffer) => {
      if ((JSON.parse(data.toString()) as { type: string }).type !== 'connection_ack') return;
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
      resolve();
    });
  });
  return socket;
}

const UPDATED = `subscription ($id: ID!) { playbackSessionUpdated(sessionId: $id) { id state positionSeconds version } }`;
const MINE = `subscription { myPlaybackSessions { id state positionSeconds version endReason } }`;

interface SessionEvent {
  id: string;
  state: string;
  positionSeconds: number;
  version: number;
  endReason?: string | null;
}

beforeAll(async () => {
  stack = await startStack('live', ['users', 'catalog', 'ratings', 'billing', 'streaming'], { REDIS_KEY_PREFIX: `t:${tag}:`, ...LIMITS });
  await seedCatalog(stack.subgraphEnvs.catalog!);
  catalog = await catalogIds(stack);
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose().catch(() => undefined)));
  await stack?.close();
});

describe('the Subscription type', () => {
  it('is in the schema HTTP introspection shows, and Sandbox is told where subscriptions are served', async () => {
    const response = await stack.query<{ __schema: { subscriptionType: { name: string; fields: { name: string; args: { name: string }[] }[] } } }>(
      `{ __schema { subscriptionType { name fields { name args { name } } } } }`,
    );
    expect(dataOf(response).__schema.subscriptionType).toEqual({
      name: 'Subscription',
      fields: [
        { name: 'playbackSessionUpdated', args: [{ name: 'sessionId' }] },
        { name: 'myPlaybackSessions', args: [] },
      ],
    });
    const page = await fetch(stack.gatewayUrl, { headers: { accept: 'text/html' } });
    const html = await page.text();
    expect(html).toContain('initialSubscriptionEndpoint');
    expect(html).toContain("endpoint.replace(/^http/, 'ws')");
  });

  it('is refused over HTTP with 400 and a pointer to the WebSocket endpoint', async () => {
    const response = await stack.query(MINE);
    expect(response.status).toBe(400);
    expect(errorCodes(response)).toEqual(['BAD_REQUEST']);
    expect(response.errors![0]!.message).toMatch(/graphql-ws/);
  });
});

describe('connecting', () => {
  it('closes with 4401 without a token, with a malformed or forged one, and with an expired one', async () => {
    const viewer = await subscriber(stack, 'BASIC');
    const expired = testAccessToken({ id: viewer.id, role: 'USER' }, -10);
    for (const params of [{}, { authorization: 'Token abc' }, { authorization: 'Bearer not.a.jwt' }, { authorization: `Bearer ${expired}` }]) {
      const client = connect(null, stack.gatewayUrl, params);
      const live = client.subscribe(MINE);
      expect((await client.closed()).code).toBe(4401);
      expect(live.results).toEqual([]);
    }
  });

  it('accepts the token under Authorization too', async () => {
    const viewer = await subscriber(stack, 'BASIC');
    const client = connect(null, stack.gatewayUrl, { Authorization: `Bearer ${viewer.token}` });
    const live = client.subscribe<{ myPlaybackSessions: SessionEvent }>(MINE);
    await new Promise((r) => setTimeout(r, 200));
    const session = await started(stack, viewer, { contentId: catalog.movies[0]!.id });
    expect((await live.received(1))[0]!.data!.myPlaybackSessions).toMatchObject({ id: session.id, state: 'PLAYING', version: 1 });
  });

  it('closes with 4401 when the access token expires, so the client reconnects with a fresh one', async () => {
    const viewer = await subscriber(stack, 'BASIC');
    const shortLived = testAccessToken({ id: viewer.id, role: 'USER' }, 2);
    const client = connect({ ...viewer, token: shortLived });
    client.subscribe(MINE);
    const closed = await client.closed(6_000);
    expect(closed).toEqual({ code: 4401, reason: 'The access token expired: reconnect with a fresh one.' });
  });

  it('limits connections per member (4403) and subscriptions per connection (RATE_LIMITED)', async () => {
    const viewer = await subscriber(stack, 'BASIC');
    const [first, second] = [connect(viewer), connect(viewer)];
    first.subscribe(MINE);
    second.subscribe(MINE);
    await new Promise((r) => setTimeout(r, 300));
    const third = connect(viewer);
    third.subscribe(MINE);
    expect((await third.closed()).code).toBe(4403);

    const many = [1, 2, 3, 4].map(() => first.subscribe(MINE));
    await many[3]!.ended();
    expect(many[3]!.errors).toMatchObject([[{ extensions: { code: 'RATE_LIMITED' } }]]);
    expect(first.closes).toEqual([]);
  });

  it('frees a member’s connection slots and subscriptions when sockets close cleanly, abruptly, or a subscription completes', async () => {
    const viewer = await subscriber(stack, 'BASIC');
    const before = stack.gateway.subscriptionStats()!;
    const opened = () => stack.gateway.subscriptionStats()!;
    const settled = (connections: number, subscriptions: number) =>
      until(
        () => opened().connections - before.connections === connections && opened().subscriptions - before.subscriptions === subscriptions,
        'the gauges to settle',
      );

    // A complete message ends one subscription; the connection stays.
    const client = connect(viewer);
    const live = client.subscribe(MINE);
    await settled(1, 1);
    live.unsubscribe();
    await settled(1, 0);

    // A clean close and an abrupt one (no close frame: the TCP connection is destroyed).
    client.subscribe(MINE);
    const abrupt = await rawSubscriber(viewer.token, MINE);
    await settled(2, 2);
    await client.dispose();
    abrupt.terminate();
    await settled(0, 0);
    expect(opened().executions).toBe(before.executions);

    // Both slots are free again: two more connections are accepted and served.
    const [third, fourth] = [connect(viewer), connect(viewer)];
    third.subscribe(MINE);
    const served = fourth.subscribe<{ myPlaybackSessions: SessionEvent }>(MINE);
    await settled(2, 2);
    const session = await started(stack, viewer, { contentId: catalog.movies[10]!.id });
    expect((await served.received(1))[0]!.data!.myPlaybackSessions).toMatchObject({ id: session.id });
    expect([...third.closes, ...fourth.closes]).toEqual([]);
  });

  it('applies the gateway’s depth limit to subscription documents', async () => {
    const viewer = await subscriber(stack, 'BASIC');
    const deep = `subscription { myPlaybackSessions { content { similar { similar { similar { similar { similar { similar { similar { similar { similar { similar { similar { id } } } } } } } } } } } } } }`;
    const live = connect(viewer).subscribe(deep);
    await live.ended();
    expect(live.errors).toMatchObject([
      [{ message: 'The operation is nested 14 levels deep; the limit is 12.', extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'depth' } }],
    ]);
  });

  it('applies the gateway’s cost limit to subscription documents, refused as the same document over HTTP', async () => {
    const viewer = await subscriber(stack, 'BASIC');
    const costly = `subscription { myPlaybackSessions { content { similar(first: 100) { similar(first: 100) { id } } } } }`;
    const overHttp = await stack.query(costly, {}, { token: viewer.token });
    expect(overHttp.status).toBe(400);
    const live = connect(viewer).subscribe(costly);
    await live.ended();
    const { message, extensions } = overHttp.errors![0]!;
    expect(live.errors).toMatchObject([
      [{ message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'cost', max: extensions!.max, found: extensions!.found } }],
    ]);
  });

  it('pings the client to keep the connection alive', async () => {
    const viewer = await subscriber(stack, 'BASIC');
    const socket = new WebSocket(stack.gatewayUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const pinged = new Promise<void>((resolve) => socket.once('ping', () => resolve()));
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${viewer.token}` } })));
    await pinged;
    socket.close();
  });
});

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
