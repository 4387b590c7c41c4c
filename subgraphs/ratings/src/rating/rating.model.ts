import { index, modelOptions, prop, type ReturnModelType } from '@typegoose/typegoose';
import { modelOn } from '@ott/kit';
import type { Connection } from 'mongoose';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import type { Sharding } from '@ott/kit';

/**
 * One member's score (and optional review) of one title. The unique index makes "one rating
 * per user and content" the database's rule, not a check that racing requests could slip past.
 * `userId` and `contentId` are references into users and catalog; the graph reaches them
 * through `user` and `content`.
 */
@Directive('@key(fields: "id")')
@ObjectType({ description: 'A member’s score of a title, with an optional review. Public: anyone may read it.' })
@modelOptions({ schemaOptions: { collection: 'ratings' } })
@index({ userId: 1, contentId: 1 }, { unique: true })
@index({ userId: 1, createdAt: -1, _id: -1 })
@index({ contentId: 1, createdAt: -1, _id: -1 })
export class Rating {
  /**
   * Ranged on (userId, contentId), the unique index ("one rating per member and title" must hold
   * across shards, which MongoDB enforces for ranged keys that prefix it). Rating, changing and
   * removing name both, and a member's ratings page names the member: one shard each. A title's
   * reviews (by contentId), `_entities` by id and the repair's recount ask every shard; averages
   * are read from summaries, never from here.
   */
  static readonly sharding: Sharding = { key: { userId: 1, contentId: 1 }, why: "unique (userId, contentId); writes and a member's page name the member" };

  @Field(() => ID)
  readonly id: string;

  @prop({ type: () => String, required: true })
  userId: string;

  @prop({ type: () => String, required: true })
  contentId: string;

  @Field(() => Int, { description: '1 (worst) to 10 (best).' })
  @prop({ type: () => Number, required: true })
  score: number;

  @Field(() => String, { nullable: true, description: 'Plain text as the author wrote it, at most 2,000 characters. Clients escape it.' })
  @prop({ type: () => String, default: null })
  review: string | null;

  // Set by the service, not by mongoose timestamps: a replacement keeps createdAt and the
  // service knows the exact updatedAt it wrote without reading the document back.
  @Field(() => Date)
  @prop({ type: () => Date, required: true })
  createdAt: Date;

  @Field(() => Date)
  @prop({ type: () => Date, required: true })
  updatedAt: Date;
}

export type RatingModel = ReturnModelType<typeof Rating>;
export type RatingDocument = InstanceType<RatingModel>;

export const createRatingModel = (connection: Connection): RatingModel => modelOn(Rating, connection);
