import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playbackChannels, playbackEvents, type PlaybackEvent } from '@ott/events';
import { connectRedis, createLogger, createRedis, decodeOrWarn } from '@ott/kit';
import { errorCodes, graphql, uniqueTag } from '@ott/kit/testing';
import { seedCatalog } from './support/catalog-fixture';
import {
  catalogIds,
  dataOf,
  eventually,
  heartbeat,
  SESSION,
  signUp,
  start,
  started,
  stop,
  subscriber,
  type CatalogIds,
  type Member,
  type Session,
} from './support/playback';
import { startStack, type Stack } from './support/stack';

const ADMIN = { email: 'streaming-admin@example.test', password: 'admin-password-1' };
const tag = uniqueTag('streaming');
/** One prefix for the whole stack, as in a deployment: every service agrees on stream and channel names. */
const PREFIX = `t:${tag}:`;

let stack: Stack;
let db: mongoose.Connection;
let catalog: CatalogIds;
let adminToken: string;

const sessionsOf = (userId: string, filter: Record<string, unknown> = {}) =>
  db
    .collection('sessions')
    .find({ userId, ...filter })
    .toArray();
const streamsOf = (userId: string) => db.collection('live_sessions').find({ userId }).toArray();

beforeAll(async () => {
  stack = await startStack('streaming', ['users', 'catalog', 'billing', 'streaming'], {
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    REDIS_KEY_PREFIX: PREFIX,
    TRENDING_CACHE_TTL_SECONDS: '1',
  });
  await seedCatalog(stack.subgraphEnvs.catalog!);
  catalog = await catalogIds(stack);
  const env = stack.subgraphEnvs.streaming!;
  db = await mongoose.createConnection(env.MONGODB_URL!, { dbName: env.MONGODB_DB }).asPromise();
  const login = await stack.query<{ login: { accessToken: string } }>(
    `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`,
    ADMIN,
  );
  adminToken = login.data!.login.accessToken;
});
afterAll(async () => {
  await db?.close();
  await stack?.close();
});

describe('starting playback', () => {
  it('plays a film for a member, with the session’s fields from streaming, catalog and users', async () => {
    const viewer = await subscriber(stack, 'STANDARD');
    const movie = catalog.movies[0]!;
    const response = await stack.query<{ startPlayback: Session & { content: { title: string }; user: { id: string; displayName: string } } }>(
      `mutation ($input: StartPlaybackInput!) { startPlayback(input: $input) {
        id state positionSeconds device quality version playbackUrl endedAt episode { id }
        content { id title } user { id displayName } } }`,
      { input: { contentId: movie.id, device: ' phone ' } },
      { token: viewer.token },
    );
    const session = dataOf(response).startPlayback;
    expect(session).toMatchObject({ state: 'PLAYING', positionSeconds: 0, device: 'phone', quality: 'HD', version: 1, endedAt: null, episode: null });
    expect(session.content).toEqual({ id: movie.id, title: movie.title });
    expect(session.user).toMatchObject({ id: viewer.id, displayName: expect.stringMatching(/^viewer/) as string });
    expect(new URL(session.playbackUrl).origin).toBe(new URL(stack.subgraphUrls.streaming!).origin);
    expect(await streamsOf(viewer.id)).toHaveLength(1);
  });

  it('answers MEMBERSHIP_REQUIRED without a membership and stores nothing', async () => {
    const visitor = await signUp(stack);
    const response = await start(stack, visitor, { contentId: catalog.movies[0]!.id });
    expect(errorCodes(response)).toEqual(['MEMBERSHIP_REQUIRED']);
    expect(response.data).toBeNull();
    expect(await sessionsOf(visitor.id)).toHaveLength(0);
    expect(await streamsOf(visitor.id)).toHaveLength(0);
  });

  it('answers UNAUTHENTICATED when signed out', async () => {
    const response = await stack.query(`mutation { startPlayback(input: { contentId: "x", device: "tv" }) { id } }`);
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
  });

  it('caps the quality at the plan’s: BASIC asking for UHD gets SD, PREMIUM gets what it asks', async () => {
    const basic = await subscriber(stack, 'BASIC');
    expect((await started(stack, basic, { contentId: catalog.movies[1]!.id, quality: 'UHD' })).quality).toBe('SD');
    const premium = await subscriber(stack, 'PREMIUM');
    expect((await started(stack, premium, { contentId: catalog.movies[1]!.id, quality: 'HD' })).quality).toBe('HD');
    expect((await started(stack, premium, { contentId: catalog.movies[1]!.id })).quality).toBe('UHD');
  });

  it('refuses titles catalog does not have, or no longer has, with CONTENT_NOT_FOUND', async () => {
    const viewer = await subscriber(stack, 'PREMIUM');
    expect(errorCodes(await start(stack, viewer, { contentId: '64b7f0c2a1b2c3d4e5f60718' }))).toEqual(['CONTENT_NOT_FOUND']);
    expect(errorCodes(await start(stack, viewer, { contentId: 'not-an-id' }))).toEqual(['CONTENT_NOT_FOUND']);

    const created = await stack.query<{ createMovie: { id: string } }>(
      `mutation { createMovie(input: { title: "Soon Gone", genreIds: [] }) { id } }`,
      {},
      { token: adminToken },
    );
    const id = dataOf(created).createMovie.id;
    await stack.query(`mutation ($id: ID!) { deleteContent(id: $id) }`, { id }, { token: adminToken });
    expect(errorCodes(await start(stack, viewer, { contentId: id }))).toEqual(['CONTENT_NOT_FOUND']);
    expect(await sessionsOf(viewer.id)).toHaveLength(0);
  });

  it('refuses bad input with BAD_USER_INPUT naming the field', async () => {
    const viewer = await subscriber(stack, 'PREMIUM');
    const movie = catalog.movies[2]!.id;
    for (const [input, field] of [
      [{ contentId: '  ' }, 'contentId'],
      [{ contentId: movie, device: '' }, 'device'],
      [{ contentId: movie, device: 'x'.repeat(65) }, 'device'],
      [{ contentId: movie, device: 'tv\u0000' }, 'device'],
      [{ contentId: movie, episodeId: catalog.shows[0]!.episodes[0] }, 'episodeId'],
    ] as const) {
      const response = await start(stack, viewer, input);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors![0]!.extensions?.field).toBe(field);
    }
    expect(await sessionsOf(viewer.id)).toHaveLength(0);
  });

  it('plays a show’s first episode when none is named, and refuses another show’s episode', async () => {
    const viewer = await subscriber(stack, 'PREMIUM');
    const [show, other] = catalog.shows;
    const first = await started(stack, viewer, { contentId: show!.id });
    expect(first.episode).toEqual({ id: show!.episodes[0] });
    const episode = await stack.query<{ playbackSession: { episode: { seasonNumber: number; episodeNumber: number; show: { id: string } } } }>(
      `query ($id: ID!) { playbackSession(id: $id) { episode { seasonNumber episodeNumber show { id } } } }`,
      { id: first.id },
      { token: viewer.token },
    );
    expect(dataOf(episode).playbackSession.episode).toEqual({ seasonNumber: 1, episodeNumber: 1, show: { id: show!.id } });

    expect((await started(stack, viewer, { contentId: show!.id, episodeId: show!.episodes[4] })).episode).toEqual({ id: show!.episodes[4] });
    const wrong = await start(stack, viewer, { contentId: show!.id, episodeId: other!.episodes[0] });
    expect(errorCodes(wrong)).toEqual(['BAD_USER_INPUT']);
    expect(wrong.errors![0]!.message).toMatch(/^episodeId: no episode/);
  });

  it('plays an episode added after the show was cached', async () => {
    const viewer = await subscriber(stack, 'PREMIUM');
    const show = catalog.shows[2]!;
    await started(stack, viewer, { contentId: show.id });
    const added = await stack.query<{ addEpisode: { id: string } }>(
      `mutation ($show: ID!) { addEpisode(showId: $show, input: { seasonNumber: 3, episodeNumber: 1, title: "New season" }) { id } }`,
      { show: show.id },
      { token: adminToken },
    );
    const episodeId = dataOf(added).addEpisode.id;
    expect((await started(stack, viewer, { contentId: show.id, episodeId })).episode).toEqual({ id: episodeId });
  });
});

describe('the stream limit', () => {
  it('gives exactly 2 of 10 concurrent starts by a STANDARD member a session; the rest answer STREAM_LIMIT_REACHED', async () => {
    const viewer = await subscriber(stack, 'STANDARD');
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => start(stack, viewer, { contentId: catalog.movies[i]!.id, device: `device-${i}` })),
    );
    const ok = responses.filter((response) => !response.errors);
    expect(ok).toHaveLength(2);
    const refused = responses.filter((response) => response.errors);
    for (const response of refused) {
      expect(errorCodes(response)).toEqual(['STREAM_LIMIT_REACHED']);
      expect(response.errors![0]!.extensions?.maxStreams).toBe(2);
    }
    expect(await sessionsOf(viewer.id)).toHaveLength(2);
    expect((await streamsOf(viewer.id)).map((stream) => stream.slot).sort()).toEqual([0, 1]);
  });

  it('frees a stream when a session stops, so the next start plays', async () => {
    const viewer = await subscriber(stack, 'BASIC');
    const first = await started(stack, viewer, { contentId: catalog.movies[3]!.id });
    expect(errorCodes(await start(stack, viewer, { contentId: catalog.movies[4]!.id }))).toEqual(['STREAM_LIMIT_REACHED']);
    dataOf(await stop(stack, viewer, first.id));
    await started(stack, viewer, { contentId: catalog.movies[4]!.id });
  });

  it('finishes an end that a crash interrupted before it counts the member’s streams', async () => {
    const viewer = await subscriber(stack, 'BASIC');
    const session = await started(stack, viewer, { contentId: catalog.movies[5]!.id });
    // As if the process died right after its end won: marked, record not written, stream held.
    await db.collection<{ _id: string }>('live_sessions').updateOne({ _id: session.id }, { $set: { ending: { reason: 'STOPPED', at: new Date() } } });
    await started(stack, viewer, { contentId: catalog.movies[6]!.id });
    const record = await db.collection('sessions').findOne({ _id: new mongoose.Types.ObjectId(session.id) });
    expect(record).toMatchObject({ state: 'ENDED', endReason: 'STOPPED' });
    expect(dataOf(await stack.query<{ playbackSession: Session }>(SESSION, { id: session.id }, { token: viewer.token })).playbackSession.state).toBe('ENDED');
  });

  it('writes the record at the end even when a crash lost it at the start', async () => {
    const viewer = await subscriber(stack, 'BASIC');
    const session = await started(stack, viewer, { contentId: catalog.movies[7]!.id });
    await db.collection('sessions').deleteOne({ _id: new mongoose.Types.ObjectId(session.id) });
    dataOf(await heartbeat(stack, viewer, session.id, 42));
    dataOf(await stop(stack, viewer, session.id));
    const record = await db.collection('sessions').findOne({ _id: new mongoose.Types.ObjectId(session.id) });
    expect(record).toMatchObject({
      state: 'ENDED',
      endReason: 'STOPPED',
      positionSeconds: 42,
      contentId: catalog.movies[7]!.id,
      userId: viewer.id,
      version: 3,
    });
  });

  it('applies a plan change to the next start within seconds: more streams and a better picture', async () => {
    const viewer = await subscriber(stack, 'BASIC');
    expect((await started(stack, viewer, { contentId: catalog.movies[5]!.id, quality: 'UHD' })).quality).toBe('SD');
    expect(errorCodes(await start(stack, viewer, { contentId: catalog.movies[6]!.id }))).toEqual(['STREAM_LIMIT_REACHED']);
    dataOf(await stack.query(`mutation { changePlan(planCode: PREMIUM) { status } }`, {}, { token: viewer.token }));
    const upgraded = await eventually(async () => {
      const response = await start(stack, viewer, { contentId: catalog.movies[6]!.id, quality: 'UHD' });
      expect(response.errors).toBeUndefined();
      return response.data!.startPlayback;
    }, 5_000);
    expect(upgraded.quality).toBe('UHD');
  });
});

describe('heartbeats and stopping', () => {
  it('moves the position, pauses and resumes, one version per change', async () => {
    const viewer = await subscriber(stack, 'PREMIUM');
    const session = await started(stack, viewer, { contentId: catalog.movies[7]!.id });
    const moved = dataOf(await heartbeat(stack, viewer, session.id, 120)).updatePlayback;
    expect(moved).toMatchObject({ state: 'PLAYING', positionSeconds: 120, version: 2 });
    const paused = dataOf(await heartbeat(stack, viewer, session.id, 125, 'PAUSED')).updatePlayback;
    expect(paused).toMatchObject({ state: 'PAUSED', positionSeconds: 125, version: 3 });
    expect(dataOf(await heartbeat(stack, viewer, session.id, 126)).updatePlayback).toMatchObject({ state: 'PAUSED', version: 4 });
    expect(dataOf(await heartbeat(stack, viewer, session.id, 127, 'PLAYING')).updatePlayback).toMatchObject({ state: 'PLAYING', version: 5 });
  });

  it('ends a session with stopPlayback; an ENDED session can be neither moved nor stopped again', async () => {
    const viewer = await subscriber(stack, 'PREMIUM');
    const session = await started(stack, viewer, { contentId: catalog.movies[8]!.id });
    const stopped = dataOf(await stop(stack, viewer, session.id)).stopPlayback;
    expect(stopped).toMatchObject({ state: 'ENDED', endReason: 'STOPPED', version: 2 });
    expect(new Date(stopped.endedAt!).getTime()).toBeGreaterThanOrEqual(new Date(session.startedAt).getTime());
    for (const response of [await heartbeat(stack, viewer, session.id, 10), await stop(stack, viewer, session.id)]) {
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors![0]!.message).toBe('sessionId: this playback session has ended (STOPPED): start playback again.');
    }
    expect(await streamsOf(viewer.id)).toHaveLength(0);
  });

  it('refuses positions below zero or beyond the title’s runtime, and changes nothing', async () => {
    const viewer = await subscriber(stack, 'PREMIUM');
    const movie = catalog.movies[9]!;
    const session = await started(stack, viewer, { contentId: movie.id });
    expect(errorCodes(await heartbeat(stack, viewer, session.id, -1))).toEqual(['BAD_USER_INPUT']);
    const beyond = await heartbeat(stack, viewer, session.id, movie.runtimeMinutes * 60 * 2);
    expect(errorCodes(beyond)).toEqual(['BAD_USER_INPUT']);
    expect(beyond.errors![0]!.message).toMatch(/^positionSeconds: must be at most \d+ for this title/);
    const now = dataOf(await stack.query<{ playbackSession: Session }>(SESSION, { id: session.id }, { token: viewer.token })).playbackSession;
    expect(now).toMatchObject({ positionSeconds: 0, version: 1 });
  });

  it('answers NOT_FOUND for a session id that does not exist or could not exist', async () => {
    const viewer = await subscriber(stack, 'PREMIUM');
    expect(errorCodes(await heartbeat(stack, viewer, '64b7f0c2a1b2c3d4e5f60718', 1))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await stop(stack, viewer, 'nope'))).toEqual(['NOT_FOUND']);
  });
});

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

describe('the playback URL', () => {
  it('serves an HLS master playlist with one variant per quality the session may use', async () => {
    const viewer = await subscriber(stack, 'STANDARD');
    const session = await started(stack, viewer, { contentId: catalog.movies[12]!.id, quality: 'UHD' });
    const response = await fetch(session.playbackUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/vnd\.apple\.mpegurl/);
    const playlist = await response.text();
    expect(playlist.startsWith('#EXTM3U\n')).toBe(true);
    expect(playlist.match(/^#EXT-X-STREAM-INF:/gm)).toHaveLength(2);
    expect(playlist).toContain('RESOLUTION=854x480');
    expect(playlist).toContain('RESOLUTION=1920x1080');
    expect(playlist).not.toContain('3840x2160');
  });

  it('answers 403 to a tampered URL: another quality, session, expiry or signature', async () => {
    const viewer = await subscriber(stack, 'BASIC');
    const session = await started(stack, viewer, { contentId: catalog.movies[13]!.id });
    const url = new URL(session.playbackUrl);
    const tampered = (change: (u: URL) => void) => {
      const copy = new URL(url);
      change(copy);
      return copy.toString();
    };
    for (const bad of [
      tampered((u) => u.searchParams.set('quality', 'UHD')),
      tampered((u) => u.searchParams.set('expires', String(Number(u.searchParams.get('expires')) + 3600))),
      tampered((u) => u.searchParams.set('signature', `${u.searchParams.get('signature')!.slice(0, -2)}AA`)),
      tampered((u) => u.searchParams.delete('signature')),
      tampered((u) => (u.pathname = u.pathname.replace(session.id, '64b7f0c2a1b2c3d4e5f60718'))),
    ]) {
      const response = await fetch(bad);
      expect(response.status).toBe(403);
      expect(await response.text()).toBe('This playback URL is not valid.\n');
    }
    expect((await fetch(url)).status).toBe(200);
  });

  it('answers 403 once the URL expired: a stopped session’s URL expired when it ended', async () => {
    const viewer = await subscriber(stack, 'PREMIUM');
    const session = await started(stack, viewer, { contentId: catalog.movies[14]!.id });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const stopped = dataOf(await stop(stack, viewer, session.id)).stopPlayback;
    const response = await fetch(stopped.playbackUrl);
    expect(response.status).toBe(403);
    expect(await response.text()).toMatch(/has expired/);
    expect((await fetch(session.playbackUrl)).status).toBe(200);
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

    const redis = createRedis('test', { url: stack.subgraphEnvs.streaming!.REDIS_URL!, keyPrefix: `${PREFIX}streaming:` }, createLogger('test', 'silent'));
    await connectRedis(redis);
    try {
      const lost = await redis.keys(`${PREFIX}streaming:{plays}:*`);
      expect(lost.length).toBeGreaterThan(2);
      await redis.del(...lost.map((key) => key.slice(`${PREFIX}streaming:`.length)));
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
    const channels = playbackChannels(PREFIX);
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
