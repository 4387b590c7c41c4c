import { setTimeout as sleep } from 'node:timers/promises';
import { badInput, type Logger } from '@ott/kit';
import type { InvoiceStatus } from '../invoice/invoice.model';
import type { InvoiceService } from '../invoice/invoice.service';
import type { MembershipModel } from '../membership/membership.model';
import { InvalidPaymentTokenError, PaymentDeclinedError, TransientPaymentError, type PaymentProvider } from '../payment/payment.provider';
import { OperationKind, type OperationDocument } from './operation.model';
import type { OperationOptions } from './operation.runner';
import type { OperationStore } from './operation.store';

export interface OperationStepsDeps {
  operations: OperationStore;
  memberships: MembershipModel;
  invoices: InvoiceService;
  provider: PaymentProvider;
  logger: Logger;
  options: Pick<OperationOptions, 'pollMs' | 'chargeAttempts'>;
}

/**
 * The steps operations are made of. Each is done at most once per operation: it skips what
 * the operation already records, does its work under a key derived from the operation (so a
 * resumed attempt meets the first one's result), and records the result before the next step.
 */
export class OperationSteps {
  private readonly ops: OperationStore;

  constructor(private readonly deps: OperationStepsDeps) {
    this.ops = deps.operations;
  }

  async ensurePaymentMethod(op: OperationDocument, paymentToken: string | undefined): Promise<OperationDocument> {
    if (op.paymentMethodId) return op;
    // Only the request that carried the token can go on; anyone else finding this operation
    // abandoned before payment can only close it (nothing was charged).
    if (!paymentToken) throw badInput('idempotencyKey', 'belongs to a purchase that was interrupted before any payment: use a new key.');
    try {
      const method = await this.deps.provider.createPaymentMethod({ token: paymentToken, idempotencyKey: `pm:${op.id}` });
      return await this.ops.record(op, { paymentMethodId: method.id });
    } catch (error) {
      if (error instanceof InvalidPaymentTokenError) {
        throw badInput('paymentToken', 'was not accepted by the payment provider: get a new token for the card and retry with a new idempotencyKey.');
      }
      throw error;
    }
  }

  /** Retries transient processor errors with the same idempotency key: one charge at most. */
  async ensureCharge(op: OperationDocument): Promise<OperationDocument> {
    if (op.amountCents <= 0 || op.chargeId) return op;
    const request = {
      idempotencyKey: `charge:${op.id}`,
      paymentMethodId: op.paymentMethodId!,
      amountCents: op.amountCents,
      currency: op.currency,
      description: op.lines.map((line) => line.description).join('; '),
    };
    for (let attempt = 1; ; attempt += 1) {
      try {
        const charge = await this.deps.provider.charge(request);
        return await this.ops.record(op, { chargeId: charge.id });
      } catch (error) {
        if (error instanceof PaymentDeclinedError) return this.ops.record(op, { chargeId: error.chargeId, declined: true });
        if (!(error instanceof TransientPaymentError) || attempt >= this.deps.options.chargeAttempts) throw error;
        this.deps.logger.warn({ operationId: op.id, attempt }, 'transient payment error: retrying with the same idempotency key');
        await sleep(this.deps.options.pollMs * 2 ** attempt);
      }
    }
  }

  /** Gives back what the operation charged, in full, once: the compensation of one that cannot be completed. */
  async ensureRefund(op: OperationDocument, reason: string): Promise<OperationDocument> {
    if (op.refundId || !op.chargeId || op.declined) return op;
    const request = { idempotencyKey: `refund:${op.id}`, chargeId: op.chargeId, amountCents: op.amountCents, reason };
    for (let attempt = 1; ; attempt += 1) {
      try {
        const refund = await this.deps.provider.refund(request);
        return await this.ops.record(op, { refundId: refund.id });
      } catch (error) {
        if (!(error instanceof TransientPaymentError) || attempt >= this.deps.options.chargeAttempts) throw error;
        this.deps.logger.warn({ operationId: op.id, attempt }, 'transient payment error on a refund: retrying with the same idempotency key');
        await sleep(this.deps.options.pollMs * 2 ** attempt);
      }
    }
  }

  async ensureInvoice(op: OperationDocument, status: typeof InvoiceStatus.PAID | typeof InvoiceStatus.OPEN): Promise<OperationDocument> {
    if (op.invoiceId) return op;
    const invoice = await this.deps.invoices.issue({
      sourceKey: this.invoiceSourceKey(op),
      userId: op.userId,
      membershipId: op.membershipId!,
      currency: op.currency,
      lines: op.lines,
      status,
      issuedAt: new Date(),
    });
    return this.ops.record(op, { invoiceId: invoice.id });
  }

  /** What the operation's invoice is issued under: one invoice per operation (per period for renewals). */
  invoiceSourceKey(op: OperationDocument): string {
    return op.kind === OperationKind.RENEW ? op.key : `operation:${op.id}`;
  }

  /** Applies the operation to the revision it was planned against, exactly once. */
  async compareAndSet(op: OperationDocument, update: { $set: Record<string, unknown>; $inc?: Record<string, number> }): Promise<void> {
    const result = await this.deps.memberships
      .updateOne({ _id: op.membershipId!, revision: op.membershipRevision }, { $set: update.$set, $inc: { ...update.$inc, revision: 1 } })
      .exec();
    if (result.matchedCount === 1) return;
    // This operation holds the slot of that revision, so only it can have moved it on.
    const current = await this.deps.memberships.findById(op.membershipId!).exec();
    if (!current || current.revision <= op.membershipRevision) {
      throw new Error(`membership ${op.membershipId} is not at revision ${op.membershipRevision}`);
    }
  }
}
