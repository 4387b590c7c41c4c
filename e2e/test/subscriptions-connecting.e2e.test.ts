import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { errorCodes, testAccessToken, until } from '@ott/kit/testing';
import { MINE, startLiveStack, type LiveStack, type SessionEvent } from './support/live-stack';
import { dataOf, started, subscriber, type CatalogIds } from './support/playback';
import type { Stack } from './support/stack';

// The Subscription type and its WebSocket connections; what subscriptions deliver is in subscriptions-delivery.e2e.test.ts.
let live: LiveStack;
let stack: Stack;
let catalog: CatalogIds;
const connect: LiveStack['connect'] = (...args) => live.connect(...args);

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

beforeAll(async () => {
  live = await startLiveStack('live_connecting');
  ({ stack, catalog } = live);
});
afterAll(() => live?.close());

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
