import { appError, isDuplicateKeyError } from '@ott/kit';
import { ErrorCode } from '../errors';
import type { EntitlementsService } from '../entitlements/entitlements.service';
import { InvoiceStatus } from '../invoice/invoice.model';
import type { InvoiceService } from '../invoice/invoice.service';
import { OperationKind, type OperationDocument } from '../operation/operation.model';
import type { OperationEffects } from '../operation/operation.runner';
import type { OperationSteps } from '../operation/operation.steps';
import { MembershipStatus, type MembershipModel } from './membership.model';

const declined = () =>
  appError(ErrorCode.PAYMENT_DECLINED, 'The card was declined and nothing was charged: use another payment method and a new idempotencyKey.');

export interface MembershipEffectsDeps {
  memberships: MembershipModel;
  steps: OperationSteps;
  invoices: InvoiceService;
  entitlements: EntitlementsService;
}

/**
 * What each kind of operation does to the membership once it is under way: the steps it
 * takes, in order, and the change it makes to the membership at the end. Kept apart from
 * MembershipService, which decides what a request asks for, because the operation runner
 * needs these for every kind, whoever resumes the operation.
 */
export class MembershipEffects implements OperationEffects {
  private readonly steps: OperationSteps;

  constructor(private readonly deps: MembershipEffectsDeps) {
    this.steps = deps.steps;
  }

  async carryOut(start: OperationDocument, paymentToken: string | undefined): Promise<OperationDocument> {
    let op = start;
    switch (op.kind) {
      case OperationKind.SUBSCRIBE:
        op = await this.steps.ensurePaymentMethod(op, paymentToken);
        op = await this.steps.ensureCharge(op);
        if (op.declined) throw declined();
        op = await this.steps.ensureInvoice(op, InvoiceStatus.PAID);
        await this.activate(op);
        break;
      case OperationKind.CHANGE_PLAN:
        op = await this.steps.ensureCharge(op);
        if (op.declined) throw declined();
        if (op.amountCents > 0) op = await this.steps.ensureInvoice(op, InvoiceStatus.PAID);
        await this.steps.compareAndSet(op, { $set: { planCode: op.planCode }, $inc: { creditCents: -op.creditUsedCents } });
        break;
      case OperationKind.CANCEL:
        await this.applyCancel(op);
        break;
      case OperationKind.RENEW:
        op = await this.steps.ensureCharge(op);
        if (op.declined) {
          op = await this.steps.ensureInvoice(op, InvoiceStatus.OPEN);
          await this.steps.compareAndSet(op, { $set: { status: MembershipStatus.PAST_DUE } });
        } else {
          op = await this.steps.ensureInvoice(op, InvoiceStatus.PAID);
          await this.steps.compareAndSet(op, {
            $set: { currentPeriodStart: op.periodStart!, currentPeriodEnd: op.periodEnd! },
            $inc: { creditCents: -op.creditUsedCents },
          });
        }
        break;
      case OperationKind.END:
        await this.steps.compareAndSet(op, { $set: { status: MembershipStatus.CANCELED, endedAt: op.periodStart! } });
        break;
    }
    await this.deps.entitlements.invalidate(op.userId);
    return op;
  }

  private async activate(op: OperationDocument): Promise<void> {
    const fields = {
      planCode: op.planCode,
      status: MembershipStatus.ACTIVE,
      currentPeriodStart: op.periodStart!,
      currentPeriodEnd: op.periodEnd!,
      cancelAtPeriodEnd: false,
      paymentMethodId: op.paymentMethodId!,
      endedAt: null,
    };
    if (op.membershipRevision === 0) {
      try {
        await this.deps.memberships.create({ _id: op.membershipId!, userId: op.userId, ...fields, creditCents: 0, revision: 1 });
      } catch (error) {
        // Created by this very operation before it was interrupted: it holds the user's first slot.
        if (!isDuplicateKeyError(error)) throw error;
      }
    } else {
      await this.steps.compareAndSet(op, { $set: fields, $inc: { creditCents: -op.creditUsedCents } });
    }
    await this.deps.invoices.voidOpen(op.userId);
  }

  private async applyCancel(op: OperationDocument): Promise<void> {
    const membership = await this.deps.memberships.findById(op.membershipId!).orFail().exec();
    if (membership.revision !== op.membershipRevision) return;
    if (membership.status === MembershipStatus.PAST_DUE) {
      await this.steps.compareAndSet(op, { $set: { status: MembershipStatus.CANCELED, endedAt: new Date() } });
      await this.deps.invoices.voidOpen(op.userId);
    } else {
      await this.steps.compareAndSet(op, { $set: { cancelAtPeriodEnd: true } });
    }
  }
}
