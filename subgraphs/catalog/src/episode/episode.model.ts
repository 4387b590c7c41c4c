import { index, modelOptions, prop, type ReturnModelType } from '@typegoose/typegoose';
import { AssumedSize, modelOn } from '@ott/kit';
import type { Connection, Types } from 'mongoose';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import type { Sharding } from '@ott/kit';

/** One episode of a TV show; (show, season, episode) is unique. */
@Directive('@key(fields: "id")')
@Directive('@cacheControl(maxAge: 120)')
@ObjectType({ description: 'One episode of a TV show.' })
@modelOptions({ schemaOptions: { collection: 'episodes', timestamps: true } })
@index({ showId: 1, seasonNumber: 1, episodeNumber: 1 }, { unique: true })
export class Episode {
  static readonly sharding: Sharding = { unsharded: 'the catalogue: small, read-mostly, held in memory' };

  @Field(() => ID)
  readonly id: string;

  @prop({ type: () => String, required: true })
  showId: string;

  @Field(() => Int)
  @prop({ type: () => Number, required: true })
  seasonNumber: number;

  @Field(() => Int)
  @prop({ type: () => Number, required: true })
  episodeNumber: number;

  @Field(() => String)
  @prop({ type: () => String, required: true, trim: true })
  title: string;

  @Field(() => Int, { nullable: true })
  @prop({ type: () => Number, default: null })
  runtimeMinutes?: number | null;
}

@Directive('@cacheControl(inheritMaxAge: true)')
@ObjectType({ description: 'The episodes of one season, in order.' })
export class Season {
  @Field(() => Int)
  number: number;

  @AssumedSize(10)
  @Field(() => [Episode])
  episodes: EpisodeRecord[];
}

export type EpisodeRecord = Omit<Episode, 'id'> & { id: string };

type LeanEpisode = Omit<EpisodeRecord, 'id'> & { _id: Types.ObjectId | string; __v?: number; createdAt?: Date; updatedAt?: Date };

export function toEpisodeRecord(doc: LeanEpisode): EpisodeRecord {
  const { _id, __v: _v, createdAt: _c, updatedAt: _u, ...fields } = doc;
  return { ...fields, id: String(_id) };
}

export type EpisodeModel = ReturnModelType<typeof Episode>;

export const createEpisodeModel = (connection: Connection): EpisodeModel => modelOn(Episode, connection);
