import { appError, badInput, type AuthUser } from '@ott/kit';
import type { Types } from 'mongoose';
import { ErrorCode } from '../errors';
import type { LiveSession } from '../live/live-session.model';
import { utcDay } from '../plays/play-counts';
import { PlaybackEndReason, PlaybackState } from './session.enums';
import type { PlaybackSession, SessionView } from './session.model';

/** A stored session record as read back (lean). */
export type SessionRecord = PlaybackSession & { _id: Types.ObjectId };

/** A playing session, from its live document; ENDED once its end is marked. */
export const viewOfLive = (live: LiveSession): SessionView => ({
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

export const viewOfRecord = (record: SessionRecord): SessionView => ({
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

export const endedError = (reason: PlaybackEndReason | null) =>
  badInput('sessionId', `this playback session has ended (${reason ?? PlaybackEndReason.STOPPED}): start playback again.`);

export const streamLimit = (maxStreams: number) =>
  appError(
    ErrorCode.STREAM_LIMIT_REACHED,
    `Your plan plays ${maxStreams} stream${maxStreams === 1 ? '' : 's'} at once and ${maxStreams === 1 ? 'it is' : 'all are'} in use: stop one to start another.`,
    { maxStreams },
  );

/** The stored record of a session as its view shows it. */
export function recordOf(view: SessionView, runtimeSeconds: number | null): Omit<PlaybackSession, '_id' | 'id'> {
  const { id: _sessionId, ...fields } = view;
  return { ...fields, startedDay: utcDay(view.startedAt), runtimeSeconds };
}
