import { appError, badInput, isDuplicateKeyError, notFound, type AuthUser, type Logger } from '@ott/kit';
import { Types, type QueryFilter } from 'mongoose';
import { ErrorCode } from '../errors';
import type { Title, TitleEpisode } from '../content/catalog-titles';
import type { Entitlements } from '../entitlements/billing-entitlements';
import type { LiveSession, LiveSessionModel } from '../live/live-session.model';
import { utcDay, type PlayCounts } from '../plays/play-counts';
import type { LivePosition, ProgressService } from '../progress/progress.service';
import { cappedQuality, PlaybackEndReason, PlaybackState } from './session.enums';
import type { PlaybackEvents } from './session.events';
import type { StartPlaybackInput, UpdatePlaybackInput } from './session.inputs';
import type { PlaybackSession, PlaybackSessionModel, SessionView } from './session.model';
import { isSessionId, maxPositionFor, parseSessionId, validateDevice, validatePosition, validateReference } from './session.validation';

/** What a start needs from billing and catalog, asked through the caller's loaders. */
export interface StartLookups {
  entitlements: () => Promise<Entitlements>;
  title: (contentId: string) => Promise<Title | null>;
  /** Past the cache: for an episode added after the show was cached. */
  freshTitle: (contentId: string) => Promise<Title | null>;
}

export interface PlaybackServiceDeps {
  sessions: PlaybackSessionModel;
  live: LiveSessionModel;
  progress: ProgressService;
  plays: PlayCounts;
  events: PlaybackEvents;
  logger: Logger;
  /** PLAYBACK_TIMEOUT_SECONDS, in ms. */
  timeoutMs: number;
}

type Live = LiveSession;
type Record = PlaybackSession & { _id: Types.ObjectId };
/** What never changes during a session: checked before a heartbeat writes, cached per process. */
type Facts = Pick<Live, 'userId' | 'maxPositionSeconds'>;

/** Facts of this many sessions are kept per process (oldest forgotten first). */
const FACTS_CACHED = 50_000;

const viewOfLive = (live: Live): SessionView => ({
  id: live._id,
  userId: live.userId,
  contentId: live.contentId,
  episodeId: live.episodeId,
  state: live.ending ? PlaybackState.ENDED : live.state,
  positionSeconds: live.positionSeconds,
  device: live.device,
  quality: live.quality,
  startedAt: live.startedAt,
  updatedAt: live.updatedAt,
  endedAt: live.ending?.at ?? null,
  endReason: live.ending?.reason ?? null,
  version: live.version,
});

const viewOfRecord = (record: Record): SessionView => ({
  id: String(record._id),
  userId: record.userId,
  contentId: record.contentId,
  episodeId: record.episodeId,
  state: record.state,
  positionSeconds: record.positionSeconds,
  device: record.device,
  quality: record.quality,
  startedAt: record.startedAt,
  updatedAt: record.updatedAt,
  endedAt: record.endedAt,
  endReason: record.endReason,
  version: record.version,
});

export const mayAccess = (caller: AuthUser, session: { userId: string }) => caller.role === 'ADMIN' || session.userId === caller.id;

const endedError = (reason: PlaybackEndReason | null) =>
  badInput('sessionId', `this playback session has ended (${reason ?? PlaybackEndReason.STOPPED}): start playback again.`);

const streamLimit = (maxStreams: number) =>
  appError(
    ErrorCode.STREAM_LIMIT_REACHED,
    `Your plan plays ${maxStreams} stream${maxStreams === 1 ? '' : 's'} at once and ${maxStreams === 1 ? 'it is' : 'all are'} in use: stop one to start another.`,
    { maxStreams },
  );

/**
 * The rules of playback. A playing session is its live document. Ending is one conditional
 * write of it (its filter says what must still hold: not ending, heard from recently, the
 * caller's), so racing requests cannot end a session twice; then the record is written and
 * the live document goes, and whoever finds a marked one finishes it (crash-safe).
 *
 * A heartbeat, the hot path, is one write by bare `_id`: what never changes (owner, position
 * bound) is checked first, and the document as it was tells whether the session was still
 * live. A heartbeat that reached an ending session is refused and its write goes with the
 * document (the end completes from the copy its own write returned); one that reached a quiet
 * session ends it with the state it had before. The version grows with each
 * change. Announcements go out after the writes.
 */
export class PlaybackService {
  private readonly sessions: PlaybackSessionModel;
  private readonly live: LiveSessionModel;
  private readonly facts = new Map<string, Facts>();

  constructor(private readonly deps: PlaybackServiceDeps) {
    this.sessions = deps.sessions;
    this.live = deps.live;
  }

  async start(caller: AuthUser, input: StartPlaybackInput, lookups: StartLookups): Promise<SessionView> {
    const contentId = validateReference('contentId', input.contentId);
    const requestedEpisode = input.episodeId == null ? null : validateReference('episodeId', input.episodeId);
    const device = validateDevice(input.device);
    const [entitlements, title] = await Promise.all([lookups.entitlements(), lookups.title(contentId)]);
    if (!entitlements.canStream || entitlements.maxStreams < 1) {
      throw appError(ErrorCode.MEMBERSHIP_REQUIRED, 'You need an ACTIVE membership to play titles: subscribe to a plan first.');
    }
    if (!title) {
      throw appError(ErrorCode.CONTENT_NOT_FOUND, `contentId: no title with id "${contentId}" is in the catalogue.`, { field: 'contentId' });
    }
    const episode = await this.pickEpisode(title, requestedEpisode, lookups);
    const episodeId = episode?.id ?? null;
    const runtimeSeconds = episode ? episode.runtimeSeconds : title.runtimeSeconds;
    const quality = cappedQuality(input.quality, entitlements.maxQuality);

    const held = await this.live.find({ userId: caller.id }).lean<Live[]>().exec();
    const [taken, positionSeconds] = await Promise.all([
      this.streamsInUse(held),
      this.deps.progress.resumePosition(caller.id, contentId, episodeId, held.filter((live) => !live.ending)),
    ]);
    if (taken.size >= entitlements.maxStreams) throw streamLimit(entitlements.maxStreams);
    const now = new Date();
    const sessionId = new Types.ObjectId();
    const live = await this.claimStream(entitlements.maxStreams, taken, (slot) => ({
      _id: sessionId.toHexString(),
      userId: caller.id,
      slot,
      contentId,
      episodeId,
      device,
      quality,
      startedAt: now,
      runtimeSeconds,
      maxPositionSeconds: maxPositionFor(runtimeSeconds),
      state: PlaybackState.PLAYING,
      positionSeconds,
      version: 1,
      updatedAt: now,
      lastHeartbeatAt: now,
      ending: null,
    }));
    const view = viewOfLive(live);
    try {
      await this.sessions.create({ ...this.recordOf(view, runtimeSeconds), _id: sessionId });
    } catch (error) {
      await this.live.deleteOne({ _id: live._id }).exec();
      throw error;
    }
    this.remember(live._id, live);
    await Promise.all([this.recordProgress(live, false), this.deps.plays.record(contentId, now)]);
    await this.deps.events.publish(view, 'STARTED');
    return view;
  }

  /** The heartbeat: position and PLAYING / PAUSED; ENDED means the player reached the end. */
  async update(caller: AuthUser, input: UpdatePlaybackInput): Promise<SessionView> {
    const sessionId = parseSessionId(input.sessionId);
    const positionSeconds = validatePosition(input.positionSeconds);
    if (input.state === PlaybackState.ENDED) return this.finish(caller, sessionId, positionSeconds);
    const now = new Date();
    const facts = await this.factsOf(sessionId);
    if (!facts || !mayAccess(caller, facts)) throw await this.whyNotWritable(caller, sessionId, now, positionSeconds);
    if (positionSeconds > facts.maxPositionSeconds) {
      throw badInput('positionSeconds', `must be at most ${facts.maxPositionSeconds} for this title, got ${positionSeconds}.`);
    }
    const set: Partial<Live> = { positionSeconds, updatedAt: now, lastHeartbeatAt: now };
    if (input.state) set.state = input.state;
    const before = await this.live.findOneAndUpdate({ _id: sessionId }, { $set: set, $inc: { version: 1 } }, { returnDocument: 'before' }).lean<Live>().exec();
    if (!before) throw await this.whyNotWritable(caller, sessionId, now, positionSeconds);
    // Reached a session whose end already won: the end completes from its own copy, so this write is lost with the document.
    if (before.ending) throw endedError(before.ending.reason);
    if (before.lastHeartbeatAt < this.cutoff(now)) {
      // Quiet for the timeout before this heartbeat: it ends with the state it had.
      const restore = { positionSeconds: before.positionSeconds, state: before.state, lastHeartbeatAt: before.lastHeartbeatAt };
      await this.end({ _id: sessionId }, PlaybackEndReason.TIMED_OUT, now, restore);
      throw this.quietError();
    }
    const view = viewOfLive({ ...before, ...set, version: before.version + 1 });
    await this.deps.events.publish(view, 'UPDATED');
    return view;
  }

  async stop(caller: AuthUser, rawSessionId: string): Promise<SessionView> {
    const sessionId = parseSessionId(rawSessionId);
    const now = new Date();
    const ended = await this.end(this.writable(caller, sessionId, now), PlaybackEndReason.STOPPED, now);
    if (!ended) throw await this.whyNotWritable(caller, sessionId, now);
    return ended.view;
  }

  /** A session its owner or an ADMIN may see; anyone else is told there is none. */
  async find(caller: AuthUser, rawSessionId: string): Promise<SessionView> {
    const sessionId = parseSessionId(rawSessionId);
    const [session] = await this.findByIds([sessionId]);
    if (!session || !mayAccess(caller, session)) throw notFound('playback session', sessionId);
    return session;
  }

  /** For references (`_entities`): the field rules decide who sees what. Answers in no particular order. */
  async findByIds(ids: readonly string[]): Promise<SessionView[]> {
    // Bare `_id` lookups, one each: the embedded database answers those without scanning.
    const found = await Promise.all(
      ids.filter(isSessionId).map(async (id) => {
        const live = await this.live.findById(id).lean<Live>().exec();
        if (live) return viewOfLive(live);
        const record = await this.sessions.findById(id).lean<Record>().exec();
        return record ? viewOfRecord(record) : null;
      }),
    );
    return found.filter((view): view is SessionView => view !== null);
  }

  /** Where the member's playing sessions are now, for progress reads to lay over the stored entries. */
  livePositions(userId: string): Promise<LivePosition[]> {
    return this.live.find({ userId, ending: null }).lean<Live[]>().exec();
  }

  /** A member's sessions that hold a stream now, newest first. */
  async activeOf(userId: string, now = new Date()): Promise<SessionView[]> {
    const live = await this.live.find({ userId, ending: null, lastHeartbeatAt: { $gte: this.cutoff(now) } }).sort({ startedAt: -1, _id: -1 }).lean<Live[]>().exec();
    return live.map(viewOfLive);
  }

  /** Ends sessions that went quiet and finishes interrupted ends; run periodically by the sweeper. Answers how many. */
  async expireStale(now = new Date()): Promise<number> {
    const due = await this.live.find({ $or: [{ lastHeartbeatAt: { $lt: this.cutoff(now) } }, { ending: { $ne: null } }] }).lean<Live[]>().exec();
    let done = 0;
    for (const live of due) if (await this.settle(live, now)) done += 1;
    return done;
  }

  /** Ends every active session of titles catalog removed (idempotent: events may repeat). */
  async endForContent(contentIds: readonly string[]): Promise<number> {
    if (contentIds.length === 0) return 0;
    const playing = await this.live.find({ contentId: { $in: [...contentIds] }, ending: null }, { _id: 1 }).lean<Pick<Live, '_id'>[]>().exec();
    let ended = 0;
    for (const { _id } of playing) if (await this.end({ _id }, PlaybackEndReason.CONTENT_REMOVED, new Date())) ended += 1;
    if (ended > 0) this.deps.logger.info({ contentIds, sessions: ended }, 'ended the sessions of removed titles');
    return ended;
  }

  private async pickEpisode(title: Title, episodeId: string | null, lookups: StartLookups): Promise<TitleEpisode | null> {
    if (title.kind === 'MOVIE') {
      if (episodeId) throw badInput('episodeId', 'is only for TV shows; this title is a film.');
      return null;
    }
    if (!episodeId) {
      const first = title.episodes[0];
      if (!first) throw badInput('contentId', 'this show has no episodes yet.');
      return first;
    }
    const cached = title.episodes.find((episode) => episode.id === episodeId);
    if (cached) return cached;
    const fresh = (await lookups.freshTitle(title.id))?.episodes.find((episode) => episode.id === episodeId);
    if (!fresh) throw badInput('episodeId', `no episode with id "${episodeId}" belongs to this show.`);
    return fresh;
  }

  /**
   * The streams the member's sessions hold now. This is the lazy half of expiry: a session
   * quiet for the timeout ends here and frees its stream, and an end interrupted by a crash
   * is finished.
   */
  private async streamsInUse(held: readonly Live[]): Promise<Set<number>> {
    const now = new Date();
    const taken = new Set<number>();
    for (const live of held) if (!(await this.settle(live, now)) && !live.ending) taken.add(live.slot);
    return taken;
  }

  /**
   * Claims the lowest free stream below `maxStreams` by inserting the live document. Racing
   * claims of one stream are decided by the unique (userId, slot) index: one insert wins, the
   * others move on to the next stream or run out.
   */
  private async claimStream(maxStreams: number, taken: ReadonlySet<number>, document: (slot: number) => Live): Promise<Live> {
    for (let slot = 0; slot < maxStreams; slot++) {
      if (taken.has(slot)) continue;
      const live = document(slot);
      try {
        await this.live.create(live);
        return live;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
    }
    throw streamLimit(maxStreams);
  }

  private async finish(caller: AuthUser, sessionId: string, positionSeconds: number): Promise<SessionView> {
    const now = new Date();
    const filter = { ...this.writable(caller, sessionId, now), maxPositionSeconds: { $gte: positionSeconds } };
    const ended = await this.end(filter, PlaybackEndReason.FINISHED, now, { positionSeconds, lastHeartbeatAt: now });
    if (!ended) throw await this.whyNotWritable(caller, sessionId, now, positionSeconds);
    return ended.view;
  }

  /** Ends a quiet session or finishes an interrupted end; answers whether the stream is free now. */
  private async settle(live: Live, now: Date): Promise<boolean> {
    if (live.ending) {
      await this.completeEnd(live);
      return true;
    }
    if (live.lastHeartbeatAt >= this.cutoff(now)) return false;
    return Boolean(await this.end({ _id: live._id, lastHeartbeatAt: { $lt: this.cutoff(now) } }, PlaybackEndReason.TIMED_OUT, now));
  }

  /** The one way a session ends: the winning conditional write marks it, then the end is completed. */
  private async end(filter: QueryFilter<Live>, reason: PlaybackEndReason, now: Date, also: Partial<Live> = {}): Promise<{ live: Live; view: SessionView } | null> {
    const live = await this.live
      .findOneAndUpdate({ ...filter, ending: null }, { $set: { ...also, ending: { reason, at: now }, updatedAt: now }, $inc: { version: 1 } }, { returnDocument: 'after' })
      .lean<Live>()
      .exec();
    if (!live) return null;
    return { live, view: await this.completeEnd(live) };
  }

  /**
   * Writes the end into the record and the member's progress, frees the stream and announces
   * it. Idempotent: an end a crash interrupted is completed by whoever finds it.
   */
  private async completeEnd(live: Live): Promise<SessionView> {
    const view = viewOfLive(live);
    // Every field, with upsert: a start interrupted before its record was written still leaves one.
    await this.sessions.updateOne({ _id: new Types.ObjectId(live._id) }, { $set: this.recordOf(view, live.runtimeSeconds) }, { upsert: true }).exec();
    await this.recordProgress(live, live.ending?.reason === PlaybackEndReason.FINISHED);
    await this.live.deleteOne({ _id: live._id }).exec();
    this.facts.delete(live._id);
    await this.deps.events.publish(view, 'ENDED');
    return view;
  }

  private recordOf(view: SessionView, runtimeSeconds: number | null): Omit<PlaybackSession, '_id' | 'id'> {
    const { id: _sessionId, ...fields } = view;
    return { ...fields, startedDay: utcDay(view.startedAt), runtimeSeconds };
  }

  /** What a change by this caller requires: the session playing, heard from recently, and theirs (or they are ADMIN). */
  private writable(caller: AuthUser, sessionId: string, now: Date): QueryFilter<Live> {
    return { _id: sessionId, ending: null, lastHeartbeatAt: { $gte: this.cutoff(now) }, ...(caller.role === 'ADMIN' ? {} : { userId: caller.id }) };
  }

  /** Why a conditional write matched nothing, as the error to answer (ending a quiet session on the way). */
  private async whyNotWritable(caller: AuthUser, sessionId: string, now: Date, positionSeconds?: number): Promise<Error> {
    const live = await this.live.findById(sessionId).lean<Live>().exec();
    if (live) {
      if (!mayAccess(caller, live)) return notFound('playback session', sessionId);
      if (live.ending) {
        await this.completeEnd(live);
        return endedError(live.ending.reason);
      }
      if (live.lastHeartbeatAt < this.cutoff(now)) {
        await this.settle(live, now);
        return this.quietError();
      }
      if (positionSeconds !== undefined && positionSeconds > live.maxPositionSeconds) {
        return badInput('positionSeconds', `must be at most ${live.maxPositionSeconds} for this title, got ${positionSeconds}.`);
      }
      // Another write changed the session between ours and this read: the client may retry.
      return badInput('sessionId', 'the session changed meanwhile; send the heartbeat again.');
    }
    const record = await this.sessions.findById(sessionId).lean<Record>().exec();
    if (!record || !mayAccess(caller, record)) return notFound('playback session', sessionId);
    return endedError(record.endReason);
  }

  private quietError(): Error {
    return badInput('sessionId', `this playback session ended: no heartbeat arrived for ${this.deps.timeoutMs / 1000} s. Start playback again.`);
  }

  /** A session's unchanging facts: cached, or read by bare `_id` from its live document. */
  private async factsOf(sessionId: string): Promise<Facts | null> {
    const cached = this.facts.get(sessionId);
    if (cached) return cached;
    const live = await this.live.findById(sessionId, { userId: 1, maxPositionSeconds: 1 }).lean<Facts>().exec();
    if (live) this.remember(sessionId, live);
    return live;
  }

  private remember(sessionId: string, facts: Facts): void {
    if (this.facts.size >= FACTS_CACHED) this.facts.delete(this.facts.keys().next().value!);
    this.facts.set(sessionId, { userId: facts.userId, maxPositionSeconds: facts.maxPositionSeconds });
  }

  private recordProgress(live: Live, finished: boolean): Promise<void> {
    return this.deps.progress.record({
      userId: live.userId,
      contentId: live.contentId,
      episodeId: live.episodeId,
      positionSeconds: live.positionSeconds,
      runtimeSeconds: live.runtimeSeconds,
      finished,
      updatedAt: live.updatedAt,
    });
  }

  private cutoff(now: Date): Date {
    return new Date(now.getTime() - this.deps.timeoutMs);
  }
}
