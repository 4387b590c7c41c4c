import { badInput, notFound, type AuthUser } from '@ott/kit';
import { Types, type QueryFilter } from 'mongoose';
import type { LiveSession, LiveSessionModel } from '../live/live-session.model';
import type { ProgressService } from '../progress/progress.service';
import { PlaybackEndReason } from './session.enums';
import type { PlaybackEvents } from './session.events';
import type { SessionFactsCache } from './session.facts';
import type { PlaybackSessionModel, SessionView } from './session.model';
import { endedError, mayAccess, recordOf, viewOfLive, type SessionRecord } from './session.views';

type Live = LiveSession;

export interface SessionEndingDeps {
  sessions: PlaybackSessionModel;
  live: LiveSessionModel;
  progress: ProgressService;
  events: PlaybackEvents;
  facts: SessionFactsCache;
  /** PLAYBACK_TIMEOUT_SECONDS, in ms. */
  timeoutMs: number;
}

/** Writes a live session's position into the member's progress. */
export function recordProgress(progress: ProgressService, live: Live, finished: boolean): Promise<void> {
  return progress.record({
    userId: live.userId,
    contentId: live.contentId,
    episodeId: live.episodeId,
    positionSeconds: live.positionSeconds,
    runtimeSeconds: live.runtimeSeconds,
    finished,
    updatedAt: live.updatedAt,
  });
}

/**
 * How a session ends, and what a write that found no live session answers. Ending is one
 * conditional write of the live document (its filter says what must still hold: not ending,
 * heard from recently, the caller's), so racing requests cannot end a session twice; then the
 * record is written and the live document goes, and whoever finds a marked one finishes it
 * (crash-safe). A session quiet for the timeout ends as TIMED_OUT wherever it is found.
 */
export class SessionEnding {
  constructor(private readonly deps: SessionEndingDeps) {}

  /** Heartbeats older than this are too old: the session went quiet. */
  cutoff(now: Date): Date {
    return new Date(now.getTime() - this.deps.timeoutMs);
  }

  /** What a change by this caller requires: the session playing, heard from recently, and theirs (or they are ADMIN). */
  writable(caller: AuthUser, sessionId: string, now: Date): QueryFilter<Live> {
    return { _id: sessionId, ending: null, lastHeartbeatAt: { $gte: this.cutoff(now) }, ...(caller.role === 'ADMIN' ? {} : { userId: caller.id }) };
  }

  /** The one way a session ends: the winning conditional write marks it, then the end is completed. */
  async end(filter: QueryFilter<Live>, reason: PlaybackEndReason, now: Date, also: Partial<Live> = {}): Promise<{ live: Live; view: SessionView } | null> {
    const live = await this.deps.live
      .findOneAndUpdate(
        { ...filter, ending: null },
        { $set: { ...also, ending: { reason, at: now }, updatedAt: now }, $inc: { version: 1 } },
        { returnDocument: 'after' },
      )
      .lean<Live>()
      .exec();
    if (!live) return null;
    return { live, view: await this.completeEnd(live) };
  }

  /** Ends a quiet session or finishes an interrupted end; answers whether the stream is free now. */
  async settle(live: Live, now: Date): Promise<boolean> {
    if (live.ending) {
      await this.completeEnd(live);
      return true;
    }
    if (live.lastHeartbeatAt >= this.cutoff(now)) return false;
    return Boolean(await this.end({ _id: live._id, lastHeartbeatAt: { $lt: this.cutoff(now) } }, PlaybackEndReason.TIMED_OUT, now));
  }

  /**
   * Writes the end into the record and the member's progress, frees the stream and announces
   * it. Idempotent: an end a crash interrupted is completed by whoever finds it.
   */
  async completeEnd(live: Live): Promise<SessionView> {
    const view = viewOfLive(live);
    // Every field, with upsert: a start interrupted before its record was written still leaves one.
    await this.deps.sessions.updateOne({ _id: new Types.ObjectId(live._id) }, { $set: recordOf(view, live.runtimeSeconds) }, { upsert: true }).exec();
    await recordProgress(this.deps.progress, live, live.ending?.reason === PlaybackEndReason.FINISHED);
    await this.deps.live.deleteOne({ _id: live._id }).exec();
    this.deps.facts.forget(live._id);
    await this.deps.events.publish(view, 'ENDED');
    return view;
  }

  /** Why a conditional write matched nothing, as the error to answer (ending a quiet session on the way). */
  async whyNotWritable(caller: AuthUser, sessionId: string, now: Date, positionSeconds?: number): Promise<Error> {
    const live = await this.deps.live.findById(sessionId).lean<Live>().exec();
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
    const record = await this.deps.sessions.findById(sessionId).lean<SessionRecord>().exec();
    if (!record || !mayAccess(caller, record)) return notFound('playback session', sessionId);
    return endedError(record.endReason);
  }

  quietError(): Error {
    return badInput('sessionId', `this playback session ended: no heartbeat arrived for ${this.deps.timeoutMs / 1000} s. Start playback again.`);
  }
}
