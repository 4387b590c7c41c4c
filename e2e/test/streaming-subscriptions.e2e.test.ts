import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playbackChannels } from '@ott/events';
import { errorCodes, testAccessToken, uniqueTag } from '@ott/kit/testing';
import { seedCatalog } from './support/catalog-fixture';
import { liveClient, type LiveClient } from './support/live';
import { catalogIds, heartbeat, started, stop, subscriber, type CatalogIds, type Member } from './support/playback';
import { startStack, type Stack } from './support/stack';

// Streaming declares the Subscription fields, so a router passing subscriptions through to it
// (router.yaml) is served by streaming itself, over graphql-ws at its /graphql, from the same
// Redis channels the gateway listens to.

const tag = uniqueTag('subgraphsubs');
const PREFIX = `t:${tag}:`;
const channels = playbackChannels(PREFIX);

let stack: Stack;
let catalog: CatalogIds;
let redis: Redis;
const clients: LiveClient[] = [];

beforeAll(async () => {
  stack = await startStack('subgraphsubs', ['users', 'catalog', 'ratings', 'billing', 'streaming'], { REDIS_KEY_PREFIX: PREFIX });
  await seedCatalog(stack.subgraphEnvs.catalog!);
  catalog = await catalogIds(stack);
  redis = new Redis(stack.gatewayEnv.REDIS_URL!);
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose().catch(() => undefined)));
  redis?.disconnect();
  await stack?.close();
});

/** A graphql-ws client of the streaming subgraph itself, as a router would connect. */
function streaming(params: Record<string, unknown>): LiveClient {
  const client = liveClient(stack.services.streaming!.url, params);
  clients.push(client);
  return client;
}

/** Resolves once `count` listeners (gateways or streaming) listen to the channel. */
async function listened(channel: string, count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const [, listeners] = (await redis.pubsub('NUMSUB', channel)) as [string, number];
    if (Number(listeners) >= count) return;
    if (Date.now() > deadline) throw new Error(`nobody listened to ${channel}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

type Update = { playbackSessionUpdated: { id: string; state: string; positionSeconds: number; content: { id: string } } };

describe("the streaming subgraph's Subscription fields", () => {
  it('delivers a session’s heartbeats to its owner (token as Apollo Router sends it), then completes with its end', async () => {
    const who: Member = await subscriber(stack, 'STANDARD', 'routed');
    const movie = catalog.movies[0]!;
    const session = await started(stack, who, { contentId: movie.id, device: 'tv', quality: 'HD' });
    // Apollo Router puts the Authorization header it propagates in connection_init as `token`.
    const live = streaming({ token: `Bearer ${who.token}` }).subscribe<Update>(
      'subscription ($id: ID!) { playbackSessionUpdated(sessionId: $id) { id state positionSeconds content { id } } }',
      { id: session.id },
    );
    await listened(channels.session(session.id), 1);

    expect((await heartbeat(stack, who, session.id, 321)).errors).toBeUndefined();
    const [first] = await live.received(1);
    expect(first!.data!.playbackSessionUpdated).toEqual({ id: session.id, state: 'PLAYING', positionSeconds: 321, content: { id: movie.id } });
    await stop(stack, who, session.id);
    await live.ended();
    expect(live.completed).toBe(true);
    expect(live.results.at(-1)!.data!.playbackSessionUpdated.state).toBe('ENDED');
  });

  it("refuses another member's session with NOT_FOUND, and a socket without a token with 4401", async () => {
    const owner = await subscriber(stack, 'STANDARD', 'owner');
    const other = await subscriber(stack, 'STANDARD', 'other');
    const session = await started(stack, owner, { contentId: catalog.movies[1]!.id, device: 'tv', quality: 'HD' });
    const refused = streaming({ authorization: `Bearer ${other.token}` }).subscribe(
      'subscription ($id: ID!) { playbackSessionUpdated(sessionId: $id) { id } }',
      { id: session.id },
    );
    await refused.ended();
    // graphql-js answers a refused subscribe as one result with its errors, then graphql-ws completes.
    expect(refused.results.flatMap((result) => errorCodes(result as Parameters<typeof errorCodes>[0]))).toEqual(['NOT_FOUND']);
    expect(refused.results.every((result) => !result.data)).toBe(true);
    await stop(stack, owner, session.id);

    const anonymous = streaming({});
    expect((await anonymous.closed()).code).toBe(4401);
  });

  it('closes with 4401 when the access token expires', async () => {
    const who = await subscriber(stack, 'BASIC', 'expiring');
    const client = streaming({ authorization: `Bearer ${testAccessToken({ id: who.id, role: 'USER' }, 2)}` });
    client.subscribe('subscription { myPlaybackSessions { id } }');
    expect(await client.closed(6_000)).toEqual({ code: 4401, reason: 'The access token expired: reconnect with a fresh one.' });
  });
});
