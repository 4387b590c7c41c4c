import { randomBytes } from 'node:crypto';
import { index, modelOptions, prop, type ReturnModelType } from '@typegoose/typegoose';
import { isDuplicateKeyError, modelOn } from '@ott/kit';
import type { Connection } from 'mongoose';
import {
  InvalidPaymentTokenError,
  maskToken,
  PaymentDeclinedError,
  TransientPaymentError,
  type Charge,
  type ChargeRequest,
  type PaymentMethod,
  type PaymentProvider,
  type Refund,
  type RefundRequest,
} from './payment.provider';
import type { Sharding } from '@ott/kit';

/**
 * The documented test tokens, named after a card processor's test mode:
 * - `tok_visa`: every charge succeeds.
 * - `tok_chargeDeclined`: every charge is declined (PAYMENT_DECLINED, nothing activated).
 * - `tok_processingError`: the first attempt of every charge fails with a processing error
 *   *after* the processor recorded the charge (the response is lost, as on a timeout); a retry
 *   with the same idempotency key answers that charge, so the card is charged exactly once.
 */
export const TEST_TOKENS = {
  tok_visa: 'succeed',
  tok_chargeDeclined: 'decline',
  tok_processingError: 'processing_error',
} as const;
export type TestBehaviour = (typeof TEST_TOKENS)[keyof typeof TEST_TOKENS];

/** The processor's record of a payment method; it keeps the behaviour, not the token. */
@modelOptions({ schemaOptions: { collection: 'provider_payment_methods', timestamps: true } })
@index({ idempotencyKey: 1 }, { unique: true })
export class ProviderPaymentMethod {
  /** The test-mode processor's own records, standing in for a payment processor's: production keeps none. */
  static readonly sharding: Sharding = { unsharded: 'the test-mode payment processor stand-in' };

  @prop({ type: () => String, required: true })
  _id: string;

  @prop({ type: () => String, required: true })
  idempotencyKey: string;

  @prop({ type: () => String, required: true, enum: Object.values(TEST_TOKENS) })
  behaviour: TestBehaviour;

  @prop({ type: () => String, required: true })
  label: string;
}

/** The processor's side of a charge: one per idempotency key, however often it is requested. */
@modelOptions({ schemaOptions: { collection: 'provider_charges', timestamps: true } })
@index({ idempotencyKey: 1 }, { unique: true })
export class ProviderCharge {
  /** The test-mode processor's own records, standing in for a payment processor's: production keeps none. */
  static readonly sharding: Sharding = { unsharded: 'the test-mode payment processor stand-in' };

  @prop({ type: () => String, required: true })
  _id: string;

  @prop({ type: () => String, required: true })
  idempotencyKey: string;

  @prop({ type: () => String, required: true })
  paymentMethodId: string;

  @prop({ type: () => Number, required: true })
  amountCents: number;

  @prop({ type: () => String, required: true })
  currency: string;

  @prop({ type: () => String, required: true })
  description: string;

  @prop({ type: () => String, required: true, enum: ['succeeded', 'declined'] })
  status: 'succeeded' | 'declined';

  /** How many requests carried this key: retries show up here, never as a second charge. */
  @prop({ type: () => Number, required: true, default: 1 })
  requests: number;
}

/** The processor's side of a refund: a charge is refunded in full, once, however often it is asked. */
@modelOptions({ schemaOptions: { collection: 'provider_refunds', timestamps: true } })
@index({ idempotencyKey: 1 }, { unique: true })
@index({ chargeId: 1 }, { unique: true })
export class ProviderRefund {
  /** The test-mode processor's own records, standing in for a payment processor's: production keeps none. */
  static readonly sharding: Sharding = { unsharded: 'the test-mode payment processor stand-in' };

  @prop({ type: () => String, required: true })
  _id: string;

  @prop({ type: () => String, required: true })
  idempotencyKey: string;

  @prop({ type: () => String, required: true })
  chargeId: string;

  @prop({ type: () => Number, required: true })
  amountCents: number;

  @prop({ type: () => String, required: true })
  reason: string;

  /** How many requests carried this key: retries show up here, never as a second refund. */
  @prop({ type: () => Number, required: true, default: 1 })
  requests: number;
}

export function createProviderModels(connection: Connection) {
  return {
    paymentMethods: modelOn(ProviderPaymentMethod, connection),
    charges: modelOn(ProviderCharge, connection),
    refunds: modelOn(ProviderRefund, connection),
  };
}

type ChargeModel = ReturnModelType<typeof ProviderCharge>;
type ChargeDocument = InstanceType<ChargeModel>;
type PaymentMethodModel = ReturnModelType<typeof ProviderPaymentMethod>;
type RefundModel = ReturnModelType<typeof ProviderRefund>;
type RefundDocument = InstanceType<RefundModel>;

const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

/** A card processor in test mode, kept in this service's database for local runs and tests. */
export class TestModePaymentProvider implements PaymentProvider {
  constructor(private readonly models: { paymentMethods: PaymentMethodModel; charges: ChargeModel; refunds: RefundModel }) {}

  async createPaymentMethod({ token, idempotencyKey }: { token: string; idempotencyKey: string }): Promise<PaymentMethod> {
    const behaviour = (TEST_TOKENS as Record<string, TestBehaviour | undefined>)[token];
    if (!behaviour) throw new InvalidPaymentTokenError('unknown test token');
    const existing = await this.models.paymentMethods.findOne({ idempotencyKey }).exec();
    if (existing) return { id: existing._id, label: existing.label };
    try {
      const created = await this.models.paymentMethods.create({ _id: newId('pm'), idempotencyKey, behaviour, label: maskToken(token) });
      return { id: created._id, label: created.label };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const raced = await this.models.paymentMethods.findOne({ idempotencyKey }).orFail().exec();
      return { id: raced._id, label: raced.label };
    }
  }

  async charge(request: ChargeRequest): Promise<Charge> {
    const repeated = await this.models.charges
      .findOneAndUpdate({ idempotencyKey: request.idempotencyKey }, { $inc: { requests: 1 } }, { returnDocument: 'after' })
      .exec();
    if (repeated) return this.answer(repeated, request);

    const method = await this.models.paymentMethods.findById(request.paymentMethodId).exec();
    if (!method) throw new Error(`no payment method ${request.paymentMethodId} at the processor`);
    let charge: ChargeDocument;
    try {
      charge = await this.models.charges.create({
        _id: newId('ch'),
        idempotencyKey: request.idempotencyKey,
        paymentMethodId: request.paymentMethodId,
        amountCents: request.amountCents,
        currency: request.currency,
        description: request.description,
        status: method.behaviour === 'decline' ? 'declined' : 'succeeded',
      });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      return this.charge(request);
    }
    if (method.behaviour === 'processing_error') throw new TransientPaymentError('processing error: the response was lost');
    return this.answer(charge, request);
  }

  async refund(request: RefundRequest): Promise<Refund> {
    const repeated = await this.models.refunds
      .findOneAndUpdate({ idempotencyKey: request.idempotencyKey }, { $inc: { requests: 1 } }, { returnDocument: 'after' })
      .exec();
    if (repeated) return this.refunded(repeated, request);
    const charge = await this.models.charges.findById(request.chargeId).exec();
    if (!charge || charge.status !== 'succeeded') throw new Error(`no succeeded charge ${request.chargeId} at the processor to refund`);
    if (request.amountCents !== charge.amountCents) throw new Error(`charge ${request.chargeId} can only be refunded in full (${charge.amountCents})`);
    try {
      const refund = await this.models.refunds.create({ _id: newId('re'), ...request });
      return this.refunded(refund, request);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      // The same key raced us (answer its refund), or the charge was refunded under another key (refused).
      if (await this.models.refunds.exists({ idempotencyKey: request.idempotencyKey }).exec()) return this.refund(request);
      throw new Error(`charge ${request.chargeId} was already refunded`);
    }
  }

  private refunded(refund: RefundDocument, request: RefundRequest): Refund {
    if (refund.chargeId !== request.chargeId || refund.amountCents !== request.amountCents) {
      throw new Error(`idempotency key ${request.idempotencyKey} was used for a different refund`);
    }
    return { id: refund._id, chargeId: refund.chargeId, amountCents: refund.amountCents };
  }

  private answer(charge: ChargeDocument, request: ChargeRequest): Charge {
    if (charge.amountCents !== request.amountCents || charge.paymentMethodId !== request.paymentMethodId) {
      // A processor refuses to reuse a key for another payment; so do we.
      throw new Error(`idempotency key ${request.idempotencyKey} was used for a different charge`);
    }
    if (charge.status === 'declined') throw new PaymentDeclinedError(charge._id);
    return { id: charge._id, amountCents: charge.amountCents, currency: charge.currency };
  }
}
