import { index, modelOptions, prop, type ReturnModelType } from '@typegoose/typegoose';
import { AssumedSize, modelOn } from '@ott/kit';
import type { Connection } from 'mongoose';
import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { Sharding } from '@ott/kit';

export const InvoiceStatus = { OPEN: 'OPEN', PAID: 'PAID', VOID: 'VOID' } as const;
export type InvoiceStatus = (typeof InvoiceStatus)[keyof typeof InvoiceStatus];
registerEnumType(InvoiceStatus, {
  name: 'InvoiceStatus',
  description:
    'PAID: charged. OPEN: a declined renewal still owed. VOID: an open invoice replaced by a new subscription, or a paid one refunded because its change could not be completed.',
});

@ObjectType({ description: 'One line of an invoice; credits are negative.' })
@modelOptions({ schemaOptions: { _id: false } })
export class InvoiceLine {
  @Field(() => String)
  @prop({ type: () => String, required: true })
  description: string;

  @Field(() => Int)
  @prop({ type: () => Number, required: true })
  amountCents: number;
}

/**
 * An issued invoice. Its number is claimed by the insert itself under the unique (year, seq)
 * index, so a number exists exactly when its invoice does: no counter can be incremented by a
 * request that then fails, and the sequence of a year has no gaps.
 */
@Directive('@key(fields: "id")')
@ObjectType({ description: 'An invoice of the signed-in user (ADMIN: of anyone).' })
@modelOptions({ schemaOptions: { collection: 'invoices', timestamps: true } })
@index({ number: 1 }, { unique: true })
@index({ year: 1, seq: 1 }, { unique: true })
@index({ sourceKey: 1 }, { unique: true })
@index({ userId: 1, issuedAt: -1, _id: -1 })
export class Invoice {
  /**
   * Unsharded: invoice numbers are one gapless sequence per year held by unique indexes across
   * every member (number, (year, seq), sourceKey), which a member-first key cannot enforce.
   * About twelve documents per member a year; to shard it, numbering would have to move out
   * of these indexes first.
   */
  static readonly sharding: Sharding = { unsharded: 'gapless yearly numbering enforced by unique indexes across members' };

  @Field(() => ID)
  readonly id: string;

  @Field(() => String, { description: 'Sequential per year without gaps, e.g. INV-2026-000042.' })
  @prop({ type: () => String, required: true })
  number: string;

  @prop({ type: () => Number, required: true })
  year: number;

  @prop({ type: () => Number, required: true })
  seq: number;

  /** What the invoice bills, e.g. one operation or one renewal period: one invoice per source. */
  @prop({ type: () => String, required: true })
  sourceKey: string;

  @prop({ type: () => String, required: true })
  userId: string;

  @prop({ type: () => String, required: true })
  membershipId: string;

  @Field(() => Int, { description: 'Sum of the lines, in cents.' })
  @prop({ type: () => Number, required: true })
  amountCents: number;

  @Field(() => String)
  @prop({ type: () => String, required: true })
  currency: string;

  @Field(() => InvoiceStatus)
  @prop({ type: () => String, required: true, enum: Object.values(InvoiceStatus) })
  status: InvoiceStatus;

  @AssumedSize(3)
  @Field(() => [InvoiceLine])
  @prop({ type: () => [InvoiceLine], required: true })
  lines: InvoiceLine[];

  @Field(() => Date)
  @prop({ type: () => Date, required: true })
  issuedAt: Date;

  @Field(() => Date, { nullable: true })
  @prop({ type: () => Date, default: null })
  paidAt: Date | null;
}

export type InvoiceModel = ReturnModelType<typeof Invoice>;
export type InvoiceDocument = InstanceType<InvoiceModel>;

export const createInvoiceModel = (connection: Connection): InvoiceModel => modelOn(Invoice, connection);

/**
 * The highest number known to be issued in a year: where the next claim starts. Only a hint,
 * written after each issue, so it may lag but never lead; the insert still claims the number.
 * Without it the claim would read the year's last invoice by a sort, which the embedded
 * database answers by reading every invoice of the year.
 */
@modelOptions({ schemaOptions: { collection: 'invoice_sequences', versionKey: false } })
export class InvoiceSequence {
  static readonly sharding: Sharding = { unsharded: 'one document per year' };

  @prop({ type: () => Number })
  _id: number;

  @prop({ type: () => Number, required: true })
  last: number;
}

export type InvoiceSequenceModel = ReturnModelType<typeof InvoiceSequence>;

export const createInvoiceSequenceModel = (connection: Connection): InvoiceSequenceModel => modelOn(InvoiceSequence, connection);
