import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient as createSseClient, type Client as SseClient } from 'graphql-sse';
import { playbackChannels } from '@ott/events';
import { uniqueTag, until } from '@ott/kit/testing';
import { seedCatalog } from './support/catalog-fixture';
import { liveClient, type LiveClient } from './support/live';
import { catalogIds, heartbeat, started, stop, subscriber, type CatalogIds, type Member } from './support/playback';
import { startStack, type Stack } from './support/stack';

const tag = uniqueTag('httpsubs');
const PREFIX = `t:${tag}:`;
const channels = playbackChannels(PREFIX);

let stack: Stack;
let catalog: CatalogIds;
let redis: Redis;
const closers: (() => unknown)[] = [];

beforeAll(async () => {
  stack = await startStack('httpsubs', ['users', 'catalog', 'ratings', 'billing', 'streaming'], {
    REDIS_KEY_PREFIX: PREFIX,
    WS_CONNECTIONS_PER_MEMBER: '2',
    WS_KEEPALIVE_SECONDS: '1',
  });
  await seedCatalog(stack.subgraphEnvs.catalog!);
  catalog = await catalogIds(stack);
  redis = new Redis(stack.gatewayEnv.REDIS_URL!);
});
afterAll(async () => {
  await Promise.all(closers.map(async (close) => close()));
  redis?.disconnect();
  await stack?.close();
});

/** Resolves once some gateway listens to the channel (Redis confirmed it): nothing published after is missed. */
async function listened(channel: string, count = 1): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const [, listeners] = (await redis.pubsub('NUMSUB', channel)) as [string, number];
    if (Number(listeners) >= count) return;
    if (Date.now() > deadline) throw new Error(`nobody listened to ${channel}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sseClient = (who: Member | null): SseClient => {
  const client = createSseClient({ url: stack.gatewayUrl, headers: who ? { authorization: `Bearer ${who.token}` } : {}, retryAttempts: 0 });
  closers.push(() => client.dispose());
  return client;
};

type Sessions = { myPlaybackSessions: { id: string; state: string; positionSeconds: number } };
const MINE = 'subscription MineOverHttp { myPlaybackSessions { id state positionSeconds } }';

async function scrape(): Promise<string> {
  return (await fetch(stack.gateway.metricsUrl)).text();
}
const sample = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('subscriptions over HTTP', () => {
  it('Apollo Client 4 (HttpLink, multipart) receives a heartbeat’s update, and completes with the session’s end', async () => {
    const { ApolloClient, HttpLink, InMemoryCache, gql } = await import('@apollo/client');
    const who = await subscriber(stack, 'STANDARD', 'multipart');
    const session = await started(stack, who, { contentId: catalog.movies[0]!.id, device: 'tv', quality: 'HD' });
    const client = new ApolloClient({
      link: new HttpLink({ uri: stack.gatewayUrl, headers: { authorization: `Bearer ${who.token}` } }),
      cache: new InMemoryCache(),
    });
    closers.push(() => client.stop());
    const results: { data?: { playbackSessionUpdated: { id: string; state: string; positionSeconds: number } } | null }[] = [];
    const failures: unknown[] = [];
    let completed = false;
    const query = gql`
      subscription Watch($id: ID!) {
        playbackSessionUpdated(sessionId: $id) {
          id
          state
          positionSeconds
        }
      }
    `;
    client
      .subscribe({ query, variables: { id: session.id } })
      .subscribe({ next: (r) => results.push(r as (typeof results)[number]), error: (e: unknown) => failures.push(e), complete: () => (completed = true) });
    await listened(channels.session(session.id));

    expect((await heartbeat(stack, who, session.id, 754, 'PAUSED')).errors).toBeUndefined();
    await until(() => results.some((r) => r.data?.playbackSessionUpdated.positionSeconds === 754), 'the heartbeat over multipart');
    expect(results.at(-1)!.data!.playbackSessionUpdated).toEqual({ __typename: 'PlaybackSession', id: session.id, state: 'PAUSED', positionSeconds: 754 });

    await stop(stack, who, session.id);
    await until(() => completed, 'the subscription to complete');
    expect(results.at(-1)!.data!.playbackSessionUpdated.state).toBe('ENDED');
    expect(failures).toEqual([]);
  });

  it('graphql-sse’s client (distinct connections) receives the start of a session, and pushes are counted apart from requests', async () => {
    const who = await subscriber(stack, 'STANDARD', 'sse');
    const before = await scrape();
    const results: Sessions[] = [];
    const failures: unknown[] = [];
    const client = sseClient(who);
    const unsubscribe = client.subscribe<Sessions>(
      { query: MINE },
      { next: (r) => void (r.data && results.push(r.data)), error: (e) => failures.push(e), complete: () => undefined },
    );
    closers.push(unsubscribe);
    await listened(channels.user(who.id));

    const session = await started(stack, who, { contentId: catalog.movies[1]!.id, device: 'laptop', quality: 'HD' });
    await until(() => results.some((r) => r.myPlaybackSessions.id === session.id), 'the start over SSE');
    expect(results[0]!.myPlaybackSessions).toMatchObject({ id: session.id, state: 'PLAYING' });
    expect(failures).toEqual([]);

    const after = await scrape();
    const pushes = (text: string) => sample(text, 'gateway_subscription_pushes_total{protocol="sse"}') ?? 0;
    expect(pushes(after) - pushes(before)).toBeGreaterThanOrEqual(1);
    // The runs behind the pushes are the gateway's own work, not requests.
    expect(after).not.toContain('graphql_requests_total{operation="MineOverHttp"');
    unsubscribe();
    await stop(stack, who, session.id);
  });

  it('answers a query over SSE alone as one event, and leaves clients that also read JSON to Apollo Server', async () => {
    const who = await subscriber(stack, 'STANDARD', 'ssequery');
    const results: unknown[] = [];
    for await (const result of sseClient(who).iterate({ query: '{ plans { code } }' })) results.push(result);
    expect(results).toEqual([{ data: { plans: expect.arrayContaining([{ code: 'STANDARD' }]) } }]);

    // urql lists text/event-stream among the types it reads, for every request.
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json, text/event-stream, multipart/mixed' },
      body: JSON.stringify({ query: '{ plans { code } }' }),
    });
    expect(response.headers.get('content-type')).toMatch(/json/);
    expect(((await response.json()) as { data: { plans: unknown[] } }).data.plans.length).toBeGreaterThan(0);
  });

  it('refuses a subscriber without a token with 401 and UNAUTHENTICATED, as curl sees it', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: MINE }),
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('counts graphql-ws sockets and HTTP streams together against the per-member cap', async () => {
    const who = await subscriber(stack, 'STANDARD', 'capped');
    const ws: LiveClient = liveClient(stack.gatewayUrl, { authorization: `Bearer ${who.token}` });
    closers.push(() => ws.dispose());
    const before = stack.gateway.subscriptionStats()!.connections;
    ws.subscribe(MINE);
    const sse = new AbortController();
    closers.push(() => sse.abort());
    const first = await fetch(stack.gatewayUrl, {
      method: 'POST',
      signal: sse.signal,
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${who.token}` },
      body: JSON.stringify({ query: MINE }),
    });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await until(() => stack.gateway.subscriptionStats()!.connections - before >= 2, 'both connections to open');

    const third = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'multipart/mixed;boundary="graphql";subscriptionSpec=1.0,application/json',
        authorization: `Bearer ${who.token}`,
      },
      body: JSON.stringify({ query: MINE }),
    });
    expect(third.status).toBe(429);
    expect(((await third.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('RATE_LIMITED');
    sse.abort();
  });
});
