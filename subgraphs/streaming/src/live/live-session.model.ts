import { index, modelOptions, prop, type ReturnModelType } from '@typegoose/typegoose';
import { modelOn } from '@ott/kit';
import type { Connection } from 'mongoose';
import { PlaybackEndReason, PlaybackState, VideoQuality } from '../session/session.enums';
import type { Sharding } from '@ott/kit';

/** How a live session is being ended: set by the one write that wins the end, before the record is finalised. */
export class Ending {
  @prop({ type: () => String, required: true, enum: Object.values(PlaybackEndReason) })
  reason: PlaybackEndReason;

  @prop({ type: () => Date, required: true })
  at: Date;
}

/**
 * A playing (or paused) session: the stream it holds and its live state. `_id` is the session's
 * id; `(userId, slot)` is unique, with slot below the plan's maxStreams, so "at most maxStreams
 * sessions" is an insert the unique index refuses (E11000), atomic on MongoDB and on the
 * embedded database alike, with no transaction and no counter a crash could leave wrong.
 *
 * Heartbeats and reads address it by bare `_id`, which the embedded database answers without
 * scanning (FerretDB pushes down only a filter that is exactly `{ _id }`); the other queries
 * touch a collection as small as the number of streams playing now. The session's record
 * (session.model.ts) is written at start and at end.
 */
@modelOptions({ schemaOptions: { collection: 'live_sessions', versionKey: false } })
@index({ userId: 1, slot: 1 }, { unique: true })
@index({ lastHeartbeatAt: 1 })
@index({ contentId: 1 })
export class LiveSession {
  /**
   * Unsharded: it holds only the streams playing now (bounded by concurrent viewers, not by
   * members or time), and its hot path, the heartbeat, addresses a session by `_id` alone, which
   * a member-first key would turn into a question to every shard on MongoDB before 7.1.
   */
  static readonly sharding: Sharding = { unsharded: 'only the streams playing now; heartbeats address a session by _id' };

  /** The session's id (24 hex characters). */
  @prop({ type: () => String, required: true })
  _id: string;

  @prop({ type: () => String, required: true })
  userId: string;

  /** Which of the member's streams (0 … maxStreams - 1) the session holds. */
  @prop({ type: () => Number, required: true })
  slot: number;

  @prop({ type: () => String, required: true })
  contentId: string;

  @prop({ type: () => String, default: null })
  episodeId: string | null;

  @prop({ type: () => String, required: true })
  device: string;

  @prop({ type: () => String, required: true, enum: Object.values(VideoQuality) })
  quality: VideoQuality;

  @prop({ type: () => Date, required: true })
  startedAt: Date;

  /** The runtime catalog gave at start, for completion; null when unknown. */
  @prop({ type: () => Number, default: null })
  runtimeSeconds: number | null;

  /** The furthest position a heartbeat may report (the runtime with some slack). */
  @prop({ type: () => Number, required: true })
  maxPositionSeconds: number;

  @prop({ type: () => String, required: true, enum: [PlaybackState.PLAYING, PlaybackState.PAUSED] })
  state: PlaybackState;

  @prop({ type: () => Number, required: true })
  positionSeconds: number;

  @prop({ type: () => Number, required: true })
  version: number;

  @prop({ type: () => Date, required: true })
  updatedAt: Date;

  /** The start or the last heartbeat: quiet for PLAYBACK_TIMEOUT_SECONDS, the session ends. */
  @prop({ type: () => Date, required: true })
  lastHeartbeatAt: Date;

  /** Set when the session is ending; the document goes once the record holds the end. */
  @prop({ type: () => Ending, default: null, _id: false })
  ending: Ending | null;
}

export type LiveSessionModel = ReturnModelType<typeof LiveSession>;

export const createLiveSessionModel = (connection: Connection): LiveSessionModel => modelOn(LiveSession, connection);
