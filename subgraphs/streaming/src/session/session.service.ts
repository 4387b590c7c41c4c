import { badInput, notFound, type AuthUser, type Logger } from '@ott/kit';
import type { LiveSession, LiveSessionModel } from '../live/live-session.model';
import type { PlayCounts } from '../plays/play-counts';
import type { LivePosition, ProgressService } from '../progress/progress.service';
import { SessionEnding } from './session.ending';
import { PlaybackEndReason, PlaybackState } from './session.enums';
import type { PlaybackEvents } from './session.events';
import { SessionFactsCache } from './session.facts';
import type { StartPlaybackInput, UpdatePlaybackInput } from './session.inputs';
import type { PlaybackSessionModel, SessionView } from './session.model';
import { PlaybackStart, type StartLookups } from './session.start';
import { isSessionId, parseSessionId, validatePosition } from './session.validation';
import { endedError, mayAccess, viewOfLive, viewOfRecord, type SessionRecord } from './session.views';

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

/**
 * The rules of playback, over a session's life: its start (`session.start.ts`), heartbeats,
 * its end (`session.ending.ts`: one conditional write, completed crash-safe by whoever finds
 * it) and expiry. A playing session is its live document.
 *
 * A heartbeat, the hot path, is one write by bare `_id`: what never changes (owner, position
 * bound) is checked first (`session.facts.ts`), and the document as it was tells whether the
 * session was still live. A heartbeat that reached an ending session is refused and its write
 * goes with the document (the end completes from the copy its own write returned); one that
 * reached a quiet session ends it with the state it had before. The version grows with each
 * change. Announcements go out after the writes.
 */
export class PlaybackService {
  private readonly sessions: PlaybackSessionModel;
  private readonly live: LiveSessionModel;
  private readonly facts: SessionFactsCache;
  private readonly ending: SessionEnding;
  private readonly starting: PlaybackStart;

  constructor(private readonly deps: PlaybackServiceDeps) {
    this.sessions = deps.sessions;
    this.live = deps.live;
    this.facts = new SessionFactsCache(deps.live);
    this.ending = new SessionEnding({ ...deps, facts: this.facts });
    this.starting = new PlaybackStart({ ...deps, facts: this.facts, ending: this.ending });
  }

  start(caller: AuthUser, input: StartPlaybackInput, lookups: StartLookups): Promise<SessionView> {
    return this.starting.start(caller, input, lookups);
  }

  /** The heartbeat: position and PLAYING / PAUSED; ENDED means the player reached the end. */
  async update(caller: AuthUser, input: UpdatePlaybackInput): Promise<SessionView> {
    const sessionId = parseSessionId(input.sessionId);
    const positionSeconds = validatePosition(input.positionSeconds);
    if (input.state === PlaybackState.ENDED) return this.finish(caller, sessionId, positionSeconds);
    const now = new Date();
    const facts = await this.facts.of(sessionId);
    if (!facts || !mayAccess(caller, facts)) throw await this.ending.whyNotWritable(caller, sessionId, now, positionSeconds);
    if (positionSeconds > facts.maxPositionSeconds) {
      throw badInput('positionSeconds', `must be at most ${facts.maxPositionSeconds} for this title, got ${positionSeconds}.`);
    }
    const set: Partial<Live> = { positionSeconds, updatedAt: now, lastHeartbeatAt: now };
    if (input.state) set.state = input.state;
    const before = await this.live
      .findOneAndUpdate({ _id: sessionId }, { $set: set, $inc: { version: 1 } }, { returnDocument: 'before' })
      .lean<Live>()
      .exec();
    if (!before) throw await this.ending.whyNotWritable(caller, sessionId, now, positionSeconds);
    // Reached a session whose end already won: the end completes from its own copy, so this write is lost with the document.
    if (before.ending) throw endedError(before.ending.reason);
    if (before.lastHeartbeatAt < this.ending.cutoff(now)) {
      // Quiet for the timeout before this heartbeat: it ends with the state it had.
      const restore = { positionSeconds: before.positionSeconds, state: before.state, lastHeartbeatAt: before.lastHeartbeatAt };
      await this.ending.end({ _id: sessionId }, PlaybackEndReason.TIMED_OUT, now, restore);
      throw this.ending.quietError();
    }
    const view = viewOfLive({ ...before, ...set, version: before.version + 1 });
    await this.deps.events.publish(view, 'UPDATED');
    return view;
  }

  async stop(caller: AuthUser, rawSessionId: string): Promise<SessionView> {
    const sessionId = parseSessionId(rawSessionId);
    const now = new Date();
    const ended = await this.ending.end(this.ending.writable(caller, sessionId, now), PlaybackEndReason.STOPPED, now);
    if (!ended) throw await this.ending.whyNotWritable(caller, sessionId, now);
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
        const record = await this.sessions.findById(id).lean<SessionRecord>().exec();
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
    const live = await this.live
      .find({ userId, ending: null, lastHeartbeatAt: { $gte: this.ending.cutoff(now) } })
      .sort({ startedAt: -1, _id: -1 })
      .lean<Live[]>()
      .exec();
    return live.map(viewOfLive);
  }

  /** Ends sessions that went quiet and finishes interrupted ends; run periodically by the sweeper. Answers how many. */
  async expireStale(now = new Date()): Promise<number> {
    const due = await this.live
      .find({ $or: [{ lastHeartbeatAt: { $lt: this.ending.cutoff(now) } }, { ending: { $ne: null } }] })
      .lean<Live[]>()
      .exec();
    let done = 0;
    for (const live of due) if (await this.ending.settle(live, now)) done += 1;
    return done;
  }

  /** Ends every active session of titles catalog removed (idempotent: events may repeat). */
  async endForContent(contentIds: readonly string[]): Promise<number> {
    if (contentIds.length === 0) return 0;
    const playing = await this.live
      .find({ contentId: { $in: [...contentIds] }, ending: null }, { _id: 1 })
      .lean<Pick<Live, '_id'>[]>()
      .exec();
    let ended = 0;
    for (const { _id } of playing) if (await this.ending.end({ _id }, PlaybackEndReason.CONTENT_REMOVED, new Date())) ended += 1;
    if (ended > 0) this.deps.logger.info({ contentIds, sessions: ended }, 'ended the sessions of removed titles');
    return ended;
  }

  /** The player reached the end: the session ends as FINISHED at that position. */
  private async finish(caller: AuthUser, sessionId: string, positionSeconds: number): Promise<SessionView> {
    const now = new Date();
    const filter = { ...this.ending.writable(caller, sessionId, now), maxPositionSeconds: { $gte: positionSeconds } };
    const ended = await this.ending.end(filter, PlaybackEndReason.FINISHED, now, { positionSeconds, lastHeartbeatAt: now });
    if (!ended) throw await this.ending.whyNotWritable(caller, sessionId, now, positionSeconds);
    return ended.view;
  }
}
