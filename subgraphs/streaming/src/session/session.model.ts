import { index, modelOptions, prop, type ReturnModelType } from '@typegoose/typegoose';
import { modelOn } from '@ott/kit';
import type { Connection, Types } from 'mongoose';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { PlaybackEndReason, PlaybackState, VideoQuality } from './session.enums';
import type { Sharding } from '@ott/kit';

/**
 * The record of one press of play: written when it starts and again when it ends; while it
 * plays, its live state is its stream's document (live/live-session.model.ts), so a read of a
 * playing session answers from there. `userId`, `contentId` and `episodeId` are references
 * into users and catalog; `user`, `content`, `episode` and `playbackUrl` are field resolvers.
 */
@Directive('@key(fields: "id")')
@ObjectType({ description: 'A playback of one title on one device. Visible to its owner and to ADMIN only.' })
@modelOptions({ schemaOptions: { collection: 'sessions', versionKey: false } })
// Rebuilding play counts (all-time and per day) when Redis lost them.
@index({ startedAt: 1 })
// Counting a title's plays in the database while Redis is down.
@index({ contentId: 1 })
export class PlaybackSession {
  /**
   * Hashed on `_id`, not on the member: the ended sessions' record is the one collection that
   * grows with every play forever, and it is read and written by session id only (a session by
   * id, the end's upsert); nothing reads a member's sessions here (their positions are in
   * progress). A member-first key would send every one of those to every shard. The play-count
   * rebuilds (by day) ask every shard, as they read every member.
   */
  static readonly sharding: Sharding = { key: { _id: 'hashed' }, why: 'grows with every play; read and upserted by session id only' };

  readonly _id: Types.ObjectId;

  @Field(() => ID)
  readonly id: string;

  @prop({ type: () => String, required: true })
  userId: string;

  @prop({ type: () => String, required: true })
  contentId: string;

  @prop({ type: () => String, default: null })
  episodeId: string | null;

  @Field(() => PlaybackState)
  @prop({ type: () => String, required: true, enum: Object.values(PlaybackState) })
  state: PlaybackState;

  @Field(() => Int, { description: 'The last position the player reported, in seconds from the start.' })
  @prop({ type: () => Number, required: true })
  positionSeconds: number;

  @Field(() => String, { description: 'What the player said it plays on, e.g. "living-room-tv".' })
  @prop({ type: () => String, required: true })
  device: string;

  @Field(() => VideoQuality, { description: 'The quality the session may use: what was asked for, capped by the plan.' })
  @prop({ type: () => String, required: true, enum: Object.values(VideoQuality) })
  quality: VideoQuality;

  @Field(() => Date)
  @prop({ type: () => Date, required: true })
  startedAt: Date;

  /** The UTC day of `startedAt` ("2026-12-01"): what per-day play counts are rebuilt by. */
  @prop({ type: () => String, required: true })
  startedDay: string;

  @Field(() => Date)
  @prop({ type: () => Date, required: true })
  updatedAt: Date;

  @Field(() => Date, { nullable: true })
  @prop({ type: () => Date, default: null })
  endedAt: Date | null;

  @Field(() => PlaybackEndReason, { nullable: true, description: 'Set once the session ENDED.' })
  @prop({ type: () => String, default: null, enum: [...Object.values(PlaybackEndReason), null] })
  endReason: PlaybackEndReason | null;

  @Field(() => Int, { description: 'Grows by one with every change: of two updates of a session, the higher version is the later.' })
  @prop({ type: () => Number, required: true })
  version: number;

  /** The runtime catalog gave at start, for positions and completion; null when unknown. */
  @prop({ type: () => Number, default: null })
  runtimeSeconds: number | null;
}

export type PlaybackSessionModel = ReturnModelType<typeof PlaybackSession>;

/** A session as the graph serves it, from its record or its live document: plain values. */
export type SessionView = Pick<
  PlaybackSession,
  | 'id'
  | 'userId'
  | 'contentId'
  | 'episodeId'
  | 'state'
  | 'positionSeconds'
  | 'device'
  | 'quality'
  | 'startedAt'
  | 'updatedAt'
  | 'endedAt'
  | 'endReason'
  | 'version'
>;

export const createPlaybackSessionModel = (connection: Connection): PlaybackSessionModel => modelOn(PlaybackSession, connection);
