import { index, modelOptions, prop, type ReturnModelType } from '@typegoose/typegoose';
import { modelOn } from '@ott/kit';
import type { Connection } from 'mongoose';
import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { Sharding } from '@ott/kit';

export const PlanCode = { BASIC: 'BASIC', STANDARD: 'STANDARD', PREMIUM: 'PREMIUM' } as const;
export type PlanCode = (typeof PlanCode)[keyof typeof PlanCode];
registerEnumType(PlanCode, { name: 'PlanCode', description: 'The plans on offer, cheapest first.' });

// Streaming declares the same enum; composition merges the two because their values agree.
export const VideoQuality = { SD: 'SD', HD: 'HD', UHD: 'UHD' } as const;
export type VideoQuality = (typeof VideoQuality)[keyof typeof VideoQuality];
registerEnumType(VideoQuality, { name: 'VideoQuality', description: 'Picture quality, lowest first.' });

/** A plan on offer. Its id is its code, so references to a plan read the same in every environment. */
@Directive('@key(fields: "id")')
@ObjectType({ description: 'A plan a member can subscribe to. Prices are integer cents.' })
@modelOptions({ schemaOptions: { collection: 'plans', timestamps: true } })
@index({ code: 1 }, { unique: true })
export class Plan {
  static readonly sharding: Sharding = { unsharded: 'three plans' };

  @prop({ type: () => String, required: true })
  _id: string;

  @Field(() => ID)
  readonly id: string;

  @Field(() => PlanCode)
  @prop({ type: () => String, required: true, enum: Object.values(PlanCode) })
  code: PlanCode;

  @Field(() => String)
  @prop({ type: () => String, required: true })
  name: string;

  @Field(() => Int, { description: 'Price of one monthly period, in cents of `currency`.' })
  @prop({ type: () => Number, required: true })
  priceCents: number;

  @Field(() => String, { description: 'ISO 4217 code.' })
  @prop({ type: () => String, required: true })
  currency: string;

  @Field(() => Int, { description: 'How many streams may play at once.' })
  @prop({ type: () => Number, required: true })
  maxStreams: number;

  @Field(() => VideoQuality)
  @prop({ type: () => String, required: true, enum: Object.values(VideoQuality) })
  maxQuality: VideoQuality;

  /** Orders plans cheapest first; an upgrade is a move to a higher rank. */
  @prop({ type: () => Number, required: true })
  rank: number;
}

export type PlanModel = ReturnModelType<typeof Plan>;
export type PlanDocument = InstanceType<PlanModel>;

export const createPlanModel = (connection: Connection): PlanModel => modelOn(Plan, connection);
