import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playbackChannels, playbackEvents, type PlaybackEvent } from '@ott/events';
import { connectRedis, createLogger, createRedis, decodeOrWarn } from '@ott/kit';
import { errorCodes, graphql } from '@ott/kit/testing';
import { dataOf, eventually, heartbeat, SESSION, started, stop, subscriber, type CatalogIds, type Member, type Session } from './support/playback';
import type { Stack } from './support/stack';
import { startStreamingStack, type StreamingStack } from './support/streaming-stack';

// What a member's playing shows beyond the session itself: to other members and ADMIN, in their watch progress,
// in play counts and trending, when its title is removed, and on the Redis channels. Playback itself is in streaming-playback.e2e.test.ts.

let streaming: StreamingStack;
let stack: Stack;
let catalog: CatalogIds;
let adminToken: string;
let prefix: string;
let streamsOf: StreamingStack['streamsOf'];

beforeAll(async () => {
  streaming = await startStreamingStack('streaming_activity');
  ({ stack, catalog, adminToken, prefix, streamsOf } = streaming);
});
afterAll(() => streaming?.close());

describe('another member’s sessions', () => {
  it('are NOT_FOUND to read, move or stop, through the gateway; ADMIN may read and stop them', async () => {
    const owner = await subscriber(stack, 'PREMIUM');
    const other = await subscriber(stack, 'PREMIUM');
    const session = await started(stack, owner, { contentId: catalog.movies[10]!.id });
    const read = await stack.query(SESSION, { id: session.id }, { token: other.token });
    expect(errorCodes(read)).toEqual(['NOT_FOUND']);
    expect(read.data).toEqual({ playbackSession: null });
    expect(errorCodes(await heartbeat(stack, other, session.id, 5))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await stop(stack, other, session.id))).toEqual(['NOT_FOUND']);
    const activeOfOther = await stack.query(`query ($id: ID!) { user(id: $id) { activeSessions { id } } }`, { id: owner.id }, { token: other.token });
    expect(errorCodes(activeOfOther)).toContain('FORBIDDEN');

    expect(dataOf(await stack.query<{ playbackSession: Session }>(SESSION, { id: session.id }, { token: adminToken })).playbackSession.id).toBe(session.id);
    expect(dataOf(await stop(stack, { id: 'admin', token: adminToken }, session.id)).stopPlayback.state).toBe('ENDED');
  });

  it('are refused directly on the subgraph too, root fields and _entities alike', async () => {
    const owner = await subscriber(stack, 'PREMIUM');
    const other = await subscriber(stack, 'PREMIUM');
    const session = await started(stack, owner, { contentId: catalog.movies[11]!.id });
    const url = stack.subgraphUrls.streaming!;
    expect(errorCodes(await graphql(url, SESSION, { id: session.id }, { token: other.token }))).toEqual(['NOT_FOUND']);
    const entities = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on PlaybackSession { id state playbackUrl } ... on User { activeSessions { id } } } }`;
    const representations = [
      { __typename: 'PlaybackSession', id: session.id },
      { __typename: 'User', id: owner.id },
    ];
    const asOther = await graphql<{ _entities: unknown[] }>(url, entities, { r: representations }, { token: other.token });
    expect(new Set(errorCodes(asOther))).toEqual(new Set(['FORBIDDEN']));
    expect(JSON.stringify(asOther.data)).not.toContain('playback/');
    const anonymous = await graphql(url, entities, { r: representations });
    expect(new Set(errorCodes(anonymous))).toEqual(new Set(['UNAUTHENTICATED']));
    const asOwner = await graphql<{ _entities: unknown[] }>(url, entities, { r: representations }, { token: owner.token });
    expect(asOwner.errors).toBeUndefined();
    expect(asOwner.data!._entities).toEqual([
      { id: session.id, state: 'PLAYING', playbackUrl: expect.stringContaining(`/playback/${session.id}/`) as string },
      { activeSessions: [{ id: session.id }] },
    ]);
  });
});

describe('watch progress', () => {
  const VIEW = `{ me {
    continueWatching(first: 10) { positionSeconds completed content { id } episode { id } }
    watchHistory(first: 10) { totalCount edges { node { positionSeconds completed content { id } } } }
    activeSessions { id state }
  } }`;
  interface View {
    continueWatching: { positionSeconds: number; completed: boolean; content: { id: string }; episode: { id: string } | null }[];
    watchHistory: { totalCount: number; edges: { node: { positionSeconds: number; completed: boolean; content: { id: string } } }[] };
    activeSessions: { id: string; state: string }[];
  }
  const view = async (who: Member) => dataOf(await stack.query<{ me: View }>(VIEW, {}, { token: who.token })).me;

  it('keeps unfinished titles in continueWatching, most recent first, and resumes where the member left off', async () => {
    const viewer = await subscriber(stack, 'PREMIUM');
    const [a, b] = [catalog.movies[15]!, catalog.movies[16]!];
    const first = await started(stack, viewer, { contentId: a.id });
    dataOf(await heartbeat(stack, viewer, first.id, 600));
    const second = await started(stack, viewer, { contentId: b.id });
    dataOf(await heartbeat(stack, viewer, second.id, 300));
    const seen = await view(viewer);
    expect(seen.continueWatching.map((entry) => [entry.content.id, entry.positionSeconds, entry.completed])).toEqual([
      [b.id, 300, false],
      [a.id, 600, false],
    ]);
    expect(seen.activeSessions.map((s) => s.id)).toEqual([second.id, first.id]);
    dataOf(await stop(stack, viewer, first.id));
    expect((await started(stack, viewer, { contentId: a.id })).positionSeconds).toBe(600);
  });

  it('counts a title completed at 95 % of its runtime: it leaves continueWatching and stays in watchHistory', async () => {
    const viewer = await subscriber(stack, 'PREMIUM');
    const movie = catalog.movies[17]!;
    const session = await started(stack, viewer, { contentId: movie.id });
    dataOf(await heartbeat(stack, viewer, session.id, Math.floor(movie.runtimeMinutes * 60 * 0.94)));
    expect((await view(viewer)).continueWatching).toHaveLength(1);
    dataOf(await heartbeat(stack, viewer, session.id, Math.ceil(movie.runtimeMinutes * 60 * 0.95)));
    const seen = await view(viewer);
    expect(seen.continueWatching).toEqual([]);
    expect(seen.watchHistory.edges.map((edge) => [edge.node.content.id, edge.node.completed])).toEqual([[movie.id, true]]);
    dataOf(await stop(stack, viewer, session.id));
    expect((await started(stack, viewer, { contentId: movie.id })).positionSeconds).toBe(0);
  });

  it('counts a title completed when the player reports the end, and ends the session as FINISHED', async () => {
    const viewer = await subscriber(stack, 'PREMIUM');
    const show = catalog.shows[1]!;
    const session = await started(stack, viewer, { contentId: show.id });
    const finished = dataOf(await heartbeat(stack, viewer, session.id, 1_000, 'ENDED')).updatePlayback;
    expect(finished).toMatchObject({ state: 'ENDED', endReason: 'FINISHED', positionSeconds: 1_000 });
    expect((await view(viewer)).watchHistory.edges[0]!.node).toMatchObject({ completed: true, positionSeconds: 1_000 });
    expect(await streamsOf(viewer.id)).toHaveLength(0);
  });

  it('shows a show once in continueWatching, at its latest unfinished episode', async () => {
    const viewer = await subscriber(stack, 'PREMIUM');
    const show = catalog.shows[0]!;
    const one = await started(stack, viewer, { contentId: show.id, episodeId: show.episodes[0] });
    dataOf(await heartbeat(stack, viewer, one.id, 100));
    const two = await started(stack, viewer, { contentId: show.id, episodeId: show.episodes[1] });
    dataOf(await heartbeat(stack, viewer, two.id, 50));
    const seen = await view(viewer);
    expect(seen.continueWatching.map((entry) => [entry.content.id, entry.episode?.id, entry.positionSeconds])).toEqual([[show.id, show.episodes[1], 50]]);
    expect(seen.watchHistory.totalCount).toBe(2);
  });

  it('pages through watchHistory by cursor without skipping or repeating, and refuses a foreign cursor', async () => {
    const viewer = await subscriber(stack, 'PREMIUM');
    const titles = catalog.movies.slice(18, 23);
    for (const [i, movie] of titles.entries()) {
      const session = await started(stack, viewer, { contentId: movie.id });
      dataOf(await heartbeat(stack, viewer, session.id, 10 + i));
      dataOf(await stop(stack, viewer, session.id));
    }
    const PAGE = `query ($after: String) { me { watchHistory(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { content { id } } } } } }`;
    type PageView = {
      me: {
        watchHistory: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { content: { id: string } } }[] };
      };
    };
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page: PageView['me']['watchHistory'] = dataOf(await stack.query<PageView>(PAGE, { after }, { token: viewer.token })).me.watchHistory;
      expect(page.totalCount).toBe(5);
      seen.push(...page.edges.map((edge) => edge.node.content.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      pages += 1;
    } while (after);
    expect(pages).toBe(3);
    expect(seen).toEqual(titles.map((movie) => movie.id).reverse());

    const stranger = await subscriber(stack, 'BASIC');
    const foreign = await stack.query(
      PAGE,
      { after: Buffer.from(JSON.stringify([Date.now(), `${viewer.id}:x:`])).toString('base64url') },
      { token: stranger.token },
    );
    expect(errorCodes(foreign)).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await stack.query(`{ me { continueWatching(first: 101) { completed } } }`, {}, { token: stranger.token }))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('play counts and trending', () => {
  const TRENDING = `query ($first: Int) { trending(first: $first) { id title playCount } }`;
  /** Trending is the whole catalogue's: these titles are new, so their ranks among themselves are exact. */
  const ranked = async (ids: string[], first = 100) =>
    dataOf(await stack.query<{ trending: { id: string; title: string; playCount: number }[] }>(TRENDING, { first })).trending.filter((t) => ids.includes(t.id));

  it('counts every start and ranks the last 7 days’ most started titles, also after Redis lost the counters', async () => {
    const viewer = await subscriber(stack, 'PREMIUM');
    const titles: { id: string; title: string }[] = [];
    for (const title of ['Often Played', 'Sometimes Played', 'Rarely Played']) {
      const created = await stack.query<{ createMovie: { id: string } }>(
        `mutation ($title: String!) { createMovie(input: { title: $title, genreIds: [] }) { id } }`,
        { title },
        { token: adminToken },
      );
      titles.push({ id: dataOf(created).createMovie.id, title });
    }
    for (const [title, times] of [
      [titles[2]!, 2],
      [titles[0]!, 4],
      [titles[1]!, 3],
    ] as const) {
      for (let i = 0; i < times; i++) {
        const session = await started(stack, viewer, { contentId: title.id });
        dataOf(await stop(stack, viewer, session.id));
      }
    }
    const ids = titles.map((t) => t.id);
    const expected = titles.map((t, i) => ({ ...t, playCount: 4 - i }));
    // The merged 7-day list is cached for TRENDING_CACHE_TTL_SECONDS (1 s here).
    await eventually(async () => expect(await ranked(ids)).toEqual(expected));

    const redis = createRedis('test', { url: stack.subgraphEnvs.streaming!.REDIS_URL!, keyPrefix: `${prefix}streaming:` }, createLogger('test', 'silent'));
    await connectRedis(redis);
    try {
      const lost = await redis.keys(`${prefix}streaming:{plays}:*`);
      expect(lost.length).toBeGreaterThan(2);
      await redis.del(...lost.map((key) => key.slice(`${prefix}streaming:`.length)));
      // Nothing changed for the gateway, which may answer what it kept: a question it has not seen reaches streaming.
      expect(await ranked(ids, 99)).toEqual(expected);
      // Rebuilt from the database, and counting live again from then on.
      expect(await redis.exists('{plays}:since', '{plays}:all')).toBe(2);
      const session = await started(stack, viewer, { contentId: titles[2]!.id });
      dataOf(await stop(stack, viewer, session.id));
      const counted = dataOf(
        await stack.query<{ content: { playCount: number } }>(`query ($id: ID!) { content(id: $id) { playCount } }`, { id: titles[2]!.id }),
      ).content;
      expect(counted.playCount).toBe(3);
    } finally {
      redis.disconnect();
    }
  });

  it('drops a removed title from trending at once', async () => {
    const viewer = await subscriber(stack, 'PREMIUM');
    const created = await stack.query<{ createMovie: { id: string } }>(
      `mutation { createMovie(input: { title: "Briefly Trending", genreIds: [] }) { id } }`,
      {},
      { token: adminToken },
    );
    const id = dataOf(created).createMovie.id;
    const session = await started(stack, viewer, { contentId: id });
    dataOf(await stop(stack, viewer, session.id));
    await eventually(async () => expect(await ranked([id])).toHaveLength(1));
    dataOf(await stack.query(`mutation ($id: ID!) { deleteContent(id: $id) }`, { id }, { token: adminToken }));
    await eventually(async () => expect(await ranked([id])).toEqual([]), 3_000);
  });
});

describe('titles removed from the catalogue', () => {
  it('end their active sessions (CONTENT_REMOVED), freeing the streams', async () => {
    const viewer = await subscriber(stack, 'BASIC');
    const created = await stack.query<{ createMovie: { id: string } }>(
      `mutation { createMovie(input: { title: "Pulled", genreIds: [], runtimeMinutes: 100 }) { id } }`,
      {},
      { token: adminToken },
    );
    const id = dataOf(created).createMovie.id;
    const session = await started(stack, viewer, { contentId: id });
    dataOf(await stack.query(`mutation ($id: ID!) { deleteContent(id: $id) }`, { id }, { token: adminToken }));
    const ended = await eventually(async () => {
      const now = dataOf(await stack.query<{ playbackSession: Session }>(SESSION, { id: session.id }, { token: viewer.token })).playbackSession;
      expect(now.state).toBe('ENDED');
      return now;
    });
    expect(ended.endReason).toBe('CONTENT_REMOVED');
    // The end is visible as soon as it won; the stream is freed a moment later, in the same step.
    await eventually(async () => expect(await streamsOf(viewer.id)).toHaveLength(0));
    await started(stack, viewer, { contentId: catalog.movies[0]!.id });
  });
});

describe('announcements', () => {
  it('publishes every change on the session’s and the member’s channel, after the write, with growing versions', async () => {
    const viewer = await subscriber(stack, 'PREMIUM');
    const channels = playbackChannels(prefix);
    const subscriberClient = createRedis('test-sub', { url: stack.subgraphEnvs.streaming!.REDIS_URL!, keyPrefix: '' }, createLogger('test', 'silent'));
    await connectRedis(subscriberClient);
    const received: { channel: string; event: PlaybackEvent | null; state?: string; version?: number }[] = [];
    subscriberClient.on('message', (channel: string, message: string) => {
      received.push({ channel, event: decodeOrWarn(playbackEvents, message, createLogger('test', 'silent')) ?? null });
    });
    try {
      await subscriberClient.subscribe(channels.user(viewer.id));
      const session = await started(stack, viewer, { contentId: catalog.movies[1]!.id });
      await subscriberClient.subscribe(channels.session(session.id));
      dataOf(await heartbeat(stack, viewer, session.id, 30));
      dataOf(await stop(stack, viewer, session.id));
      await eventually(async () => expect(received).toHaveLength(5));
      const userEvents = received.filter((r) => r.channel === channels.user(viewer.id)).map((r) => r.event);
      expect(userEvents).toEqual([
        { sessionId: session.id, userId: viewer.id, version: 1, kind: 'STARTED' },
        { sessionId: session.id, userId: viewer.id, version: 2, kind: 'UPDATED' },
        { sessionId: session.id, userId: viewer.id, version: 3, kind: 'ENDED' },
      ]);
      expect(received.filter((r) => r.channel === channels.session(session.id)).map((r) => r.event?.version)).toEqual([2, 3]);
    } finally {
      subscriberClient.disconnect();
    }
  });
});
