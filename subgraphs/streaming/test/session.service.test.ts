import mongoose, { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, createLogger, createRedis, ensureIndexes, type AuthUser } from '@ott/kit';
import { testEnv, uniqueTag } from '@ott/kit/testing';
import type { Redis } from 'ioredis';
import type { Title } from '../src/content/catalog-titles';
import type { Entitlements } from '../src/entitlements/billing-entitlements';
import { PlayCounts } from '../src/plays/play-counts';
import { ProgressService } from '../src/progress/progress.service';
import { createModels } from '../src/server';
import { PlaybackEvents } from '../src/session/session.events';
import { PlaybackService } from '../src/session/session.service';
import type { StartLookups } from '../src/session/session.start';

// The playback rules against the real database and Redis: one service over a database and a
// key prefix of this file's own; every test plays as members of its own.
const TIMEOUT_MS = 90_000;
const logger = createLogger('streaming-session-test', 'silent');
const FILM: Title = { id: new Types.ObjectId().toHexString(), kind: 'MOVIE', runtimeSeconds: 6_000, episodes: [] };
const episode = (seasonNumber: number, episodeNumber: number) => ({
  id: new Types.ObjectId().toHexString(),
  seasonNumber,
  episodeNumber,
  runtimeSeconds: 1_800,
});
const SHOW: Title = { id: new Types.ObjectId().toHexString(), kind: 'TV_SHOW', runtimeSeconds: null, episodes: [episode(1, 1), episode(1, 2)] };
const PREMIUM: Entitlements = { canStream: true, maxStreams: 2, maxQuality: 'HD' };

let mongo: mongoose.Connection;
let redis: Redis;
let events: Redis;
let listener: Redis;
let models: ReturnType<typeof createModels>;
let playback: PlaybackService;
let prefix: string;
/** Every playback event heard, as published. */
const heard: { sessionId: string; kind: string; version: number }[] = [];

const member = (): AuthUser => ({ id: new Types.ObjectId().toHexString(), role: 'USER' });
const ADMIN: AuthUser = { id: new Types.ObjectId().toHexString(), role: 'ADMIN' };

function lookups(entitlements: Entitlements = PREMIUM, titles: Title[] = [FILM, SHOW], fresh: Title[] = titles): StartLookups {
  return {
    entitlements: () => Promise.resolve(entitlements),
    title: (id) => Promise.resolve(titles.find((title) => title.id === id) ?? null),
    freshTitle: (id) => Promise.resolve(fresh.find((title) => title.id === id) ?? null),
  };
}

const play = (caller: AuthUser, contentId = FILM.id, more: { episodeId?: string; entitlements?: Entitlements } = {}) =>
  playback.start(caller, { contentId, episodeId: more.episodeId ?? null, device: 'living-room-tv', quality: 'UHD' }, lookups(more.entitlements));

/** As if no heartbeat had arrived for longer than the timeout. */
const goQuiet = (sessionId: string) =>
  models.live.updateOne({ _id: sessionId }, { $set: { lastHeartbeatAt: new Date(Date.now() - TIMEOUT_MS - 1_000) } }).exec();

const codeOf = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => null,
    (err: unknown) => err as { extensions?: { code?: string } },
  );
  return error?.extensions?.code ?? 'no error';
};

beforeAll(async () => {
  const env = testEnv(uniqueTag('sessions'));
  prefix = env.REDIS_KEY_PREFIX!;
  mongo = await mongoose.createConnection(env.MONGODB_URL!, { dbName: env.MONGODB_DB, autoIndex: false, autoCreate: false }).asPromise();
  models = createModels(mongo);
  await ensureIndexes([models.sessions, models.live, models.progress]);
  [redis, events, listener] = ['cache', 'events', 'listener'].map((label) =>
    createRedis(`sessions-${label}`, { url: env.REDIS_URL!, keyPrefix: label === 'cache' ? prefix : '' }, logger),
  ) as [Redis, Redis, Redis];
  await Promise.all([redis, events, listener].map((client) => connectRedis(client)));
  listener.on('pmessage', (_pattern: string, _channel: string, message: string) => {
    if (_channel.includes(':playback:session:')) heard.push(JSON.parse(message) as (typeof heard)[number]);
  });
  await listener.psubscribe(`${prefix}playback:*`);
  playback = new PlaybackService({
    sessions: models.sessions,
    live: models.live,
    progress: new ProgressService(models.progress),
    plays: new PlayCounts(redis, models.sessions, logger, { trendingTtlSeconds: 1 }),
    events: new PlaybackEvents(events, prefix, logger),
    logger,
    timeoutMs: TIMEOUT_MS,
  });
});
afterAll(async () => {
  [redis, events, listener].forEach((client) => client?.disconnect());
  await mongo?.dropDatabase();
  await mongo?.close();
});

describe('starting playback', () => {
  it('plays a film at the best quality the plan allows, from the start, and records it', async () => {
    const caller = member();
    const session = await play(caller);
    expect(session).toMatchObject({
      userId: caller.id,
      contentId: FILM.id,
      episodeId: null,
      state: 'PLAYING',
      quality: 'HD',
      positionSeconds: 0,
      version: 1,
      endedAt: null,
    });
    expect(await models.sessions.countDocuments({ _id: session.id, userId: caller.id })).toBe(1);
    expect(await playback.activeOf(caller.id)).toEqual([session]);
  });

  it('refuses a member without a membership, a title not in the catalogue and an episode of a film', async () => {
    const caller = member();
    expect(await codeOf(play(caller, FILM.id, { entitlements: { canStream: false, maxStreams: 0, maxQuality: 'SD' } }))).toBe('MEMBERSHIP_REQUIRED');
    expect(await codeOf(play(caller, new Types.ObjectId().toHexString()))).toBe('CONTENT_NOT_FOUND');
    expect(await codeOf(play(caller, FILM.id, { episodeId: SHOW.episodes[0]!.id }))).toBe('BAD_USER_INPUT');
    expect(await models.live.countDocuments({ userId: caller.id })).toBe(0);
  });

  it('plays a show’s first episode unless told which, and asks catalog again for an episode it did not know', async () => {
    const caller = member();
    expect((await play(caller, SHOW.id)).episodeId).toBe(SHOW.episodes[0]!.id);
    const added = episode(2, 1);
    const start = (fresh: Title[]) =>
      playback.start(caller, { contentId: SHOW.id, episodeId: added.id, device: 'phone' }, { ...lookups(PREMIUM, [SHOW], fresh) });
    expect(await codeOf(start([SHOW]))).toBe('BAD_USER_INPUT');
    expect((await start([{ ...SHOW, episodes: [...SHOW.episodes, added] }])).episodeId).toBe(added.id);
  });

  it('holds the plan’s streams at most, frees one when a session stops, and frees a quiet session’s stream on the next start', async () => {
    const caller = member();
    const [first, second] = [await play(caller), await play(caller)];
    expect(await codeOf(play(caller))).toBe('STREAM_LIMIT_REACHED');
    await playback.stop(caller, first.id);
    const third = await play(caller);
    await goQuiet(second.id);
    await play(caller);
    expect((await playback.find(caller, second.id)).endReason).toBe('TIMED_OUT');
    expect((await playback.activeOf(caller.id)).map((s) => s.id)).toContain(third.id);
  });

  it('gives two racing starts of a one-stream plan one stream', async () => {
    const caller = member();
    const single = { canStream: true, maxStreams: 1, maxQuality: 'SD' } as const;
    const codes = await Promise.all([codeOf(play(caller, FILM.id, { entitlements: single })), codeOf(play(caller, FILM.id, { entitlements: single }))]);
    expect(codes.sort()).toEqual(['STREAM_LIMIT_REACHED', 'no error']);
  });

  it('resumes where the member stopped, and from the start once they finished', async () => {
    const caller = member();
    const first = await play(caller);
    await playback.update(caller, { sessionId: first.id, positionSeconds: 600 });
    await playback.stop(caller, first.id);
    const second = await play(caller);
    expect(second.positionSeconds).toBe(600);
    const finished = await playback.update(caller, { sessionId: second.id, positionSeconds: 6_000, state: 'ENDED' });
    expect(finished).toMatchObject({ state: 'ENDED', endReason: 'FINISHED', positionSeconds: 6_000 });
    expect((await play(caller)).positionSeconds).toBe(0);
  });
});

describe('heartbeats', () => {
  it('move the position and state, one version each, and announce each change after the write', async () => {
    const caller = member();
    const session = await play(caller);
    const paused = await playback.update(caller, { sessionId: session.id, positionSeconds: 42, state: 'PAUSED' });
    expect(paused).toMatchObject({ state: 'PAUSED', positionSeconds: 42, version: 2 });
    expect(await playback.find(caller, session.id)).toMatchObject({ state: 'PAUSED', positionSeconds: 42, version: 2 });
    const stopped = await playback.stop(caller, session.id);
    expect(stopped).toMatchObject({ state: 'ENDED', endReason: 'STOPPED', version: 3 });
    await expect
      .poll(() => heard.filter((event) => event.sessionId === session.id).map((event) => [event.kind, event.version]))
      .toEqual([
        ['STARTED', 1],
        ['UPDATED', 2],
        ['ENDED', 3],
      ]);
  });

  it('are refused beyond the title’s runtime, for another member’s session, and once the session ended', async () => {
    const caller = member();
    const session = await play(caller);
    expect(await codeOf(playback.update(caller, { sessionId: session.id, positionSeconds: 7_000 }))).toBe('BAD_USER_INPUT');
    expect(await codeOf(playback.update(member(), { sessionId: session.id, positionSeconds: 1 }))).toBe('NOT_FOUND');
    expect(await codeOf(playback.find(member(), session.id))).toBe('NOT_FOUND');
    expect((await playback.update(ADMIN, { sessionId: session.id, positionSeconds: 5 })).positionSeconds).toBe(5);
    await playback.stop(caller, session.id);
    expect(await codeOf(playback.update(caller, { sessionId: session.id, positionSeconds: 6 }))).toBe('BAD_USER_INPUT');
    expect(await codeOf(playback.stop(caller, session.id))).toBe('BAD_USER_INPUT');
    expect(await codeOf(playback.update(caller, { sessionId: new Types.ObjectId().toHexString(), positionSeconds: 1 }))).toBe('NOT_FOUND');
  });

  it('end a session that went quiet where it was before the late heartbeat', async () => {
    const caller = member();
    const session = await play(caller);
    await playback.update(caller, { sessionId: session.id, positionSeconds: 300, state: 'PAUSED' });
    await goQuiet(session.id);
    expect(await codeOf(playback.update(caller, { sessionId: session.id, positionSeconds: 900, state: 'PLAYING' }))).toBe('BAD_USER_INPUT');
    expect(await playback.find(caller, session.id)).toMatchObject({ state: 'ENDED', positionSeconds: 300, endReason: 'TIMED_OUT' });
    expect(await models.live.countDocuments({ _id: session.id })).toBe(0);
  });
});

describe('expiry and removals', () => {
  it('the sweep ends quiet sessions and completes an end a crash interrupted, each once', async () => {
    const caller = member();
    const [quiet, interrupted, playing] = [await play(caller, FILM.id), await play(caller, SHOW.id), await play(member())];
    await goQuiet(quiet.id);
    // An end marked, but neither its record nor its progress written: the process died between.
    await models.live.updateOne({ _id: interrupted.id }, { $set: { ending: { reason: 'STOPPED', at: new Date() } }, $inc: { version: 1 } }).exec();
    expect(await playback.expireStale()).toBeGreaterThanOrEqual(2);
    expect(await playback.find(caller, quiet.id)).toMatchObject({ state: 'ENDED', endReason: 'TIMED_OUT' });
    expect(await playback.find(caller, interrupted.id)).toMatchObject({ state: 'ENDED', endReason: 'STOPPED', version: 2 });
    expect(await models.live.countDocuments({ _id: { $in: [quiet.id, interrupted.id] } })).toBe(0);
    expect((await playback.find(ADMIN, playing.id)).state).toBe('PLAYING');
  });

  it('ends the sessions of a title catalog removed, and a repeated event ends nothing more', async () => {
    const removed: Title = { ...FILM, id: new Types.ObjectId().toHexString() };
    const [caller, other] = [member(), member()];
    const start = (who: AuthUser, title: Title) => playback.start(who, { contentId: title.id, device: 'tv' }, lookups(PREMIUM, [title, FILM]));
    const [a, b, kept] = [await start(caller, removed), await start(other, removed), await start(caller, FILM)];
    expect(await playback.endForContent([removed.id])).toBe(2);
    expect(await playback.endForContent([removed.id])).toBe(0);
    expect((await playback.findByIds([a.id, b.id, kept.id])).map((s) => [s.id, s.endReason]).sort()).toEqual(
      [
        [a.id, 'CONTENT_REMOVED'],
        [b.id, 'CONTENT_REMOVED'],
        [kept.id, null],
      ].sort(),
    );
  });
});
