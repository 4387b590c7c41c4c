import { setTimeout as sleep } from 'node:timers/promises';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '@ott/kit';
import { errorCodes, uniqueTag } from '@ott/kit/testing';
import { start as startStreaming } from '@ott/streaming';
import { seedCatalog } from './support/catalog-fixture';
import { liveClient } from './support/live';
import { catalogIds, dataOf, eventually, heartbeat, SESSION, start, started, subscriber, type CatalogIds, type Session } from './support/playback';
import { startStack, type Stack } from './support/stack';

const TIMEOUT_SECONDS = 1;
const tag = uniqueTag('expiry');

let stack: Stack;
let db: mongoose.Connection;
let catalog: CatalogIds;
let sweeper: Service | undefined;

const read = async (token: string, id: string) => dataOf(await stack.query<{ playbackSession: Session }>(SESSION, { id }, { token })).playbackSession;
const streamsOf = (userId: string) => db.collection('live_sessions').find({ userId }).toArray();

beforeAll(async () => {
  // The stack's streaming never sweeps (an hour between sweeps): expiry here is the lazy kind.
  stack = await startStack('expiry', ['users', 'catalog', 'billing', 'streaming'], {
    REDIS_KEY_PREFIX: `t:${tag}:`,
    PLAYBACK_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS),
    PLAYBACK_SWEEP_INTERVAL_SECONDS: '3600',
  });
  await seedCatalog(stack.subgraphEnvs.catalog!);
  catalog = await catalogIds(stack);
  const env = stack.subgraphEnvs.streaming!;
  db = await mongoose.createConnection(env.MONGODB_URL!, { dbName: env.MONGODB_DB }).asPromise();
});
afterAll(async () => {
  await sweeper?.close();
  await db?.close();
  await stack?.close();
});

describe('a session without heartbeats', () => {
  it('stays alive as long as heartbeats keep arriving within the timeout', async () => {
    const viewer = await subscriber(stack, 'BASIC');
    const session = await started(stack, viewer, { contentId: catalog.movies[0]!.id });
    for (let position = 1; position <= 4; position++) {
      await sleep(TIMEOUT_SECONDS * 500);
      dataOf(await heartbeat(stack, viewer, session.id, position));
    }
    expect(await read(viewer.token, session.id)).toMatchObject({ state: 'PLAYING', positionSeconds: 4 });
  });

  it('frees its stream for the member’s next start, ending as TIMED_OUT, without any sweeper', async () => {
    const viewer = await subscriber(stack, 'BASIC');
    const quiet = await started(stack, viewer, { contentId: catalog.movies[1]!.id });
    expect(errorCodes(await start(stack, viewer, { contentId: catalog.movies[2]!.id }))).toEqual(['STREAM_LIMIT_REACHED']);
    await sleep(TIMEOUT_SECONDS * 1000 + 200);
    const next = await started(stack, viewer, { contentId: catalog.movies[2]!.id });
    expect(await read(viewer.token, quiet.id)).toMatchObject({ state: 'ENDED', endReason: 'TIMED_OUT' });
    expect((await streamsOf(viewer.id)).map((stream) => stream._id)).toEqual([next.id]);
  });

  it('cannot be moved once quiet for the timeout: the heartbeat ends it and says why', async () => {
    const viewer = await subscriber(stack, 'BASIC');
    const session = await started(stack, viewer, { contentId: catalog.movies[3]!.id });
    await sleep(TIMEOUT_SECONDS * 1000 + 200);
    const late = await heartbeat(stack, viewer, session.id, 30);
    expect(errorCodes(late)).toEqual(['BAD_USER_INPUT']);
    expect(late.errors![0]!.message).toBe(`sessionId: this playback session ended: no heartbeat arrived for ${TIMEOUT_SECONDS} s. Start playback again.`);
    expect(await read(viewer.token, session.id)).toMatchObject({ state: 'ENDED', endReason: 'TIMED_OUT', positionSeconds: 0 });
    expect(await streamsOf(viewer.id)).toHaveLength(0);
  });

  it('is not listed among the member’s active sessions once quiet', async () => {
    const viewer = await subscriber(stack, 'STANDARD');
    await started(stack, viewer, { contentId: catalog.movies[4]!.id });
    await sleep(TIMEOUT_SECONDS * 1000 + 200);
    const active = dataOf(await stack.query<{ me: { activeSessions: unknown[] } }>(`{ me { activeSessions { id } } }`, {}, { token: viewer.token })).me
      .activeSessions;
    expect(active).toEqual([]);
  });

  it('ends by itself when any streaming instance sweeps, freeing its stream', async () => {
    const viewer = await subscriber(stack, 'BASIC');
    const session = await started(stack, viewer, { contentId: catalog.movies[5]!.id });
    // A second instance over the same database, sweeping often: as a deployment of several pods would.
    sweeper = await startStreaming({ ...stack.subgraphEnvs.streaming, PLAYBACK_SWEEP_INTERVAL_SECONDS: '0.2' });
    const ended = await eventually(async () => {
      const now = await read(viewer.token, session.id);
      expect(now.state).toBe('ENDED');
      return now;
    }, 5_000);
    expect(ended.endReason).toBe('TIMED_OUT');
    await eventually(async () => expect(await streamsOf(viewer.id)).toHaveLength(0));
  });

  it('is announced to the member’s myPlaybackSessions subscribers when it expires', async () => {
    const viewer = await subscriber(stack, 'BASIC');
    const client = liveClient(stack.gatewayUrl, { authorization: `Bearer ${viewer.token}` });
    try {
      const live = client.subscribe<{ myPlaybackSessions: { id: string; state: string; endReason: string | null } }>(
        `subscription { myPlaybackSessions { id state endReason } }`,
      );
      await sleep(300);
      const session = await started(stack, viewer, { contentId: catalog.movies[6]!.id });
      const events = (await live.received(2, 5_000)).map((result) => result.data!.myPlaybackSessions);
      expect(events).toEqual([
        { id: session.id, state: 'PLAYING', endReason: null },
        { id: session.id, state: 'ENDED', endReason: 'TIMED_OUT' },
      ]);
    } finally {
      await client.dispose();
    }
  });
});
