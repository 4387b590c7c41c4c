import { index, modelOptions, prop, type DocumentType, type ReturnModelType } from '@typegoose/typegoose';
import { modelOn } from '@ott/kit';
import type { Connection } from 'mongoose';
import { InvoiceLine } from '../invoice/invoice.model';
import { PlanCode } from '../plan/plan.model';
import type { Sharding } from '@ott/kit';

export const OperationKind = {
  SUBSCRIBE: 'SUBSCRIBE',
  CHANGE_PLAN: 'CHANGE_PLAN',
  CANCEL: 'CANCEL',
  RENEW: 'RENEW',
  END: 'END',
} as const;
export type OperationKind = (typeof OperationKind)[keyof typeof OperationKind];

export const OperationStatus = { PENDING: 'PENDING', SUCCEEDED: 'SUCCEEDED', FAILED: 'FAILED' } as const;
export type OperationStatus = (typeof OperationStatus)[keyof typeof OperationStatus];

/**
 * One change to a user's membership, carried out in idempotent, resumable steps (payment
 * method → charge → invoice → membership), each step's result recorded here before the next.
 * FerretDB has no multi-document transactions; this record stands in for one.
 *
 * Two unique indexes make inserts act as locks:
 * - (userId, key): the request's idempotency key (the client's, or one derived from the
 *   membership's state). A duplicate waits for the first and answers its result.
 * - slot = "<userId>:<membership revision>": one operation per state of a membership, so two
 *   different requests can never both charge against the same state. A failed operation
 *   releases its slot; a successful one leaves it taken, as the revision has moved on.
 */
@modelOptions({ schemaOptions: { collection: 'operations', timestamps: true } })
@index({ userId: 1, key: 1 }, { unique: true })
@index({ slot: 1 }, { unique: true })
// The recovery worker's sweep: pending operations whose lease ran out.
@index({ status: 1, lockedUntil: 1 })
export class Operation {
  /**
   * Unsharded: its two unique indexes, (userId, key) and slot, are the locks billing relies on,
   * and MongoDB enforces uniqueness on a sharded collection only for indexes that start with the
   * shard key, which no one key can start both. A few documents per member and billing action.
   */
  static readonly sharding: Sharding = { unsharded: 'two unique indexes (userId, key) and slot act as locks; no key prefixes both' };

  @prop({ type: () => String, required: true })
  userId: string;

  @prop({ type: () => String, required: true })
  key: string;

  @prop({ type: () => String, required: true, enum: Object.values(OperationKind) })
  kind: OperationKind;

  /** What was asked, e.g. "SUBSCRIBE:PREMIUM": the same key with another request is refused. */
  @prop({ type: () => String, required: true })
  fingerprint: string;

  @prop({ type: () => String, required: true })
  slot: string;

  @prop({ type: () => String, required: true, enum: Object.values(OperationStatus) })
  status: OperationStatus;

  /** Lease of the process carrying it out; once past, any process may resume it. */
  @prop({ type: () => Date, required: true })
  lockedUntil: Date;

  /** How many times the lease was taken over: a takeover moves it on, and a step recorded under an older one is refused. */
  @prop({ type: () => Number, required: true, default: 0 })
  generation: number;

  /** The membership revision this operation applies to (0: the user has none yet). */
  @prop({ type: () => Number, required: true })
  membershipRevision: number;

  @prop({ type: () => String, required: true, enum: Object.values(PlanCode) })
  planCode: PlanCode;

  @prop({ type: () => String, required: true })
  currency: string;

  @prop({ type: () => [InvoiceLine], required: true, default: [] })
  lines: InvoiceLine[];

  @prop({ type: () => Number, required: true, default: 0 })
  amountCents: number;

  /** Credit taken off this bill (positive), or granted by a downgrade (negative). */
  @prop({ type: () => Number, required: true, default: 0 })
  creditUsedCents: number;

  @prop({ type: () => Date, default: null })
  periodStart: Date | null;

  @prop({ type: () => Date, default: null })
  periodEnd: Date | null;

  @prop({ type: () => String, default: null })
  paymentMethodId: string | null;

  @prop({ type: () => String, default: null })
  chargeId: string | null;

  @prop({ type: () => Boolean, required: true, default: false })
  declined: boolean;

  @prop({ type: () => String, default: null })
  invoiceId: string | null;

  @prop({ type: () => String, default: null })
  membershipId: string | null;

  /** The processor's refund of `chargeId`, when the operation could not be completed and was compensated. */
  @prop({ type: () => String, default: null })
  refundId: string | null;

  /** Attempts of the recovery worker that failed, and the last one's error: after OPERATION_RECOVERY_ATTEMPTS it compensates. */
  @prop({ type: () => Number, required: true, default: 0 })
  recoveryAttempts: number;

  @prop({ type: () => String, default: null })
  recoveryError: string | null;

  @prop({ type: () => String, default: null })
  errorCode: string | null;

  @prop({ type: () => String, default: null })
  errorMessage: string | null;
}

export type OperationModel = ReturnModelType<typeof Operation>;
export type OperationDocument = DocumentType<Operation>;

export const createOperationModels = (connection: Connection) => ({
  operations: modelOn(Operation, connection),
});
