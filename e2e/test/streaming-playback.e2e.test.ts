import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes } from '@ott/kit/testing';
import { dataOf, eventually, heartbeat, SESSION, signUp, start, started, stop, subscriber, type CatalogIds, type Session } from './support/playback';
import type { Stack } from './support/stack';
import { startStreamingStack, type StreamingStack } from './support/streaming-stack';

// Playback as a player drives it: starting, the plan's stream limit, heartbeats and stopping, and the signed URL.
// What playing shows elsewhere (other members, progress, trending, announcements) is in streaming-activity.e2e.test.ts.

let streaming: StreamingStack;
let stack: Stack;
let db: mongoose.Connection;
let catalog: CatalogIds;
let adminToken: string;
let sessionsOf: StreamingStack['sessionsOf'];
let streamsOf: StreamingStack['streamsOf'];

beforeAll(async () => {
  streaming = await startStreamingStack('streaming_playback');
  ({ stack, db, catalog, adminToken, sessionsOf, streamsOf } = streaming);
});
afterAll(() => streaming?.close());

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
