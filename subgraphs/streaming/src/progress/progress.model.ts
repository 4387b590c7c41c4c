import { index, modelOptions, prop, type ReturnModelType } from '@typegoose/typegoose';
import { modelOn } from '@ott/kit';
import type { Connection } from 'mongoose';
import { Field, Int, ObjectType } from 'type-graphql';
import type { Sharding } from '@ott/kit';

/**
 * How far a member got in one title (one episode, for shows). Its `_id` names the member and
 * what was watched, so every heartbeat is one upsert of one known document and two devices
 * can never create two entries for it. `content` and `episode` are field resolvers.
 */
@ObjectType({ description: 'How far the member got in a film or an episode.' })
@modelOptions({ schemaOptions: { collection: 'progress', versionKey: false } })
// continueWatching: unfinished entries, most recent first.
@index({ userId: 1, completed: 1, updatedAt: -1, _id: -1 })
// watchHistory: every entry, most recent first (keyset).
@index({ userId: 1, updatedAt: -1, _id: -1 })
export class WatchProgress {
  /**
   * Hashed on userId: no unique index but `_id`, so a hashed key may spread members (whose ids
   * are ObjectIds, ordered by sign-up time: a ranged key would send every new member's first
   * plays to the last chunk). Reads are by member (continue watching, history, counts): one shard.
   * Writes are upserts, which on a sharded cluster must name the full shard key: they carry
   * userId beside `_id` (`<userId>:<contentId>:<episodeId>`).
   */
  static readonly sharding: Sharding = { key: { userId: 'hashed' }, why: 'member reads; no unique index, so hashed spreads new members' };

  /** `<userId>:<contentId>:<episodeId or empty>` (progressId). */
  @prop({ type: () => String, required: true })
  _id: string;

  @prop({ type: () => String, required: true })
  userId: string;

  @prop({ type: () => String, required: true })
  contentId: string;

  @prop({ type: () => String, default: null })
  episodeId: string | null;

  @Field(() => Int, { description: 'Where to resume, in seconds from the start.' })
  @prop({ type: () => Number, required: true })
  positionSeconds: number;

  @prop({ type: () => Number, default: null })
  runtimeSeconds: number | null;

  @Field(() => Boolean, { description: 'Watched to 95 % of its runtime, or played to the end.' })
  @prop({ type: () => Boolean, required: true })
  completed: boolean;

  @Field(() => Date)
  @prop({ type: () => Date, required: true })
  updatedAt: Date;
}

export type WatchProgressModel = ReturnModelType<typeof WatchProgress>;

/** An entry as read (lean): plain values. */
export type WatchProgressEntry = Pick<
  WatchProgress,
  '_id' | 'userId' | 'contentId' | 'episodeId' | 'positionSeconds' | 'runtimeSeconds' | 'completed' | 'updatedAt'
>;

export const progressId = (userId: string, contentId: string, episodeId: string | null) => `${userId}:${contentId}:${episodeId ?? ''}`;

export const createWatchProgressModel = (connection: Connection): WatchProgressModel => modelOn(WatchProgress, connection);
