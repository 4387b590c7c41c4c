import { index, modelOptions, prop, type ReturnModelType } from '@typegoose/typegoose';
import { modelOn } from '@ott/kit';
import type { Connection } from 'mongoose';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PlanCode } from '../plan/plan.model';
import type { Sharding } from '@ott/kit';

export const MembershipStatus = { ACTIVE: 'ACTIVE', PAST_DUE: 'PAST_DUE', CANCELED: 'CANCELED' } as const;
export type MembershipStatus = (typeof MembershipStatus)[keyof typeof MembershipStatus];
registerEnumType(MembershipStatus, {
  name: 'MembershipStatus',
  description: 'ACTIVE: paid up and streaming. PAST_DUE: a renewal was declined. CANCELED: ended.',
});

/**
 * A user's membership: one document per user for their whole history, re-activated by a new
 * subscription. Every write is a compare-and-set on `revision` made by one operation
 * (see operation.model.ts), which is what keeps concurrent charges from both applying.
 */
@ObjectType({ description: 'The signed-in user’s membership of a plan, billed monthly in advance.' })
@modelOptions({ schemaOptions: { collection: 'memberships', timestamps: true } })
@index({ userId: 1 }, { unique: true })
@index({ status: 1, currentPeriodEnd: 1 })
export class Membership {
  /**
   * Ranged on userId, the unique index (one membership per member). Reads by member (entitlements,
   * `membership`) go to one shard; the steps of an operation address it by `_id` (MongoDB 7.1+
   * routes those without the key); renewals scan by date on every shard.
   */
  static readonly sharding: Sharding = { key: { userId: 1 }, why: 'unique userId; read by member' };

  @Field(() => ID)
  readonly id: string;

  @prop({ type: () => String, required: true })
  userId: string;

  @prop({ type: () => String, required: true, enum: Object.values(PlanCode) })
  planCode: PlanCode;

  @Field(() => MembershipStatus)
  @prop({ type: () => String, required: true, enum: Object.values(MembershipStatus) })
  status: MembershipStatus;

  @Field(() => Date)
  @prop({ type: () => Date, required: true })
  currentPeriodStart: Date;

  @Field(() => Date, { description: 'Access lasts until then; the renewal run bills the next period at this instant.' })
  @prop({ type: () => Date, required: true })
  currentPeriodEnd: Date;

  @Field(() => Boolean, { description: 'Canceled by the member: stays ACTIVE until currentPeriodEnd, then ends.' })
  @prop({ type: () => Boolean, required: true, default: false })
  cancelAtPeriodEnd: boolean;

  @Field(() => Int, { description: 'Credit from downgrades, in cents, taken off the next invoices.' })
  @prop({ type: () => Number, required: true, default: 0 })
  creditCents: number;

  // The processor's reusable reference (pm_…) for renewals; the card token itself is never kept.
  @prop({ type: () => String, required: true })
  paymentMethodId: string;

  @prop({ type: () => Number, required: true, default: 1 })
  revision: number;

  @prop({ type: () => Date, default: null })
  endedAt: Date | null;
}

export type MembershipModel = ReturnModelType<typeof Membership>;
export type MembershipDocument = InstanceType<MembershipModel>;

export const createMembershipModel = (connection: Connection): MembershipModel => modelOn(Membership, connection);
