import { setTimeout as sleep } from 'node:timers/promises';
import { GraphQLError } from 'graphql';
import { Types } from 'mongoose';
import { appError, badInput, ErrorCode, isDuplicateKeyError, isPublicError, type Logger } from '@ott/kit';
import type { EntitlementsService } from '../entitlements/entitlements.service';
import { InvoiceStatus, type InvoiceLine } from '../invoice/invoice.model';
import type { InvoiceService } from '../invoice/invoice.service';
import { OperationKind, OperationStatus, type OperationDocument } from '../operation/operation.model';
import { slotOf, type OperationDraft, type OperationStore } from '../operation/operation.store';
import { InvalidPaymentTokenError, PaymentDeclinedError, TransientPaymentError, type PaymentProvider } from '../payment/payment.provider';
import type { PlanCode } from '../plan/plan.model';
import type { RenewalReport } from '../renewal/renewal-report.type';
import { CURRENCY, type PlanService } from '../plan/plan.service';
import { addMonth, formatDay, prorate } from './billing-math';
import type { SubscribeToPlanInput } from './membership.inputs';
import { MembershipStatus, type MembershipDocument, type MembershipModel } from './membership.model';

export interface BillingOptions {
  /** How long a process may carry out an operation before another may resume it. */
  leaseMs: number;
  /** How long a duplicate request waits for the first one before giving up (it may retry). */
  waitMs: number;
  pollMs: number;
  /** Attempts per charge on transient processor errors, all with the same idempotency key. */
  chargeAttempts: number;
}

interface PerformRequest {
  userId: string;
  /** A client's idempotency key: its first result answers every replay. */
  clientKey?: string;
  fingerprint?: string;
  paymentToken?: string;
  /** Reads the membership's current state: a draft to carry out, null for nothing to do, or throws. */
  prepare: (membership: MembershipDocument | null) => OperationDraft | null;
}

// Client keys cannot contain ':', which every key derived from a membership's state does.
const CLIENT_KEY = /^[A-Za-z0-9_-]{1,128}$/;
const MAX_TOKEN_LENGTH = 256;
// A renewal run far behind catches up period by period, so running it again for the same
// date has nothing left to do; the bound only stops a bug from looping.
const MAX_CATCH_UP_PERIODS = 36;

const declined = () =>
  appError(ErrorCode.PAYMENT_DECLINED, 'The card was declined and nothing was charged: use another payment method and a new idempotencyKey.');
const membershipRequired = (what: string) => appError(ErrorCode.MEMBERSHIP_REQUIRED, `You need an ACTIVE membership to ${what}: subscribe to a plan first.`);
const creditLine = (cents: number): InvoiceLine[] => (cents > 0 ? [{ description: 'Credit from an earlier plan change', amountCents: -cents }] : []);
const total = (lines: InvoiceLine[]) => lines.reduce((sum, line) => sum + line.amountCents, 0);

export interface MembershipServiceDeps {
  memberships: MembershipModel;
  operations: OperationStore;
  invoices: InvoiceService;
  plans: PlanService;
  entitlements: EntitlementsService;
  provider: PaymentProvider;
  logger: Logger;
  options: BillingOptions;
}

/**
 * Every change to a membership runs as one operation (operation.model.ts): started by an
 * insert that doubles as a lock, carried out in recorded steps, resumable by whichever
 * process finds it abandoned. That is how a charge happens once however often, and however
 * concurrently, a request is sent.
 */
export class MembershipService {
  private readonly memberships: MembershipModel;
  private readonly ops: OperationStore;

  constructor(private readonly deps: MembershipServiceDeps) {
    this.memberships = deps.memberships;
    this.ops = deps.operations;
  }

  findByUserIds(userIds: readonly string[]): Promise<MembershipDocument[]> {
    return this.memberships.find({ userId: { $in: [...userIds] } }).exec();
  }

  /** Charges the first period now, issues its PAID invoice and activates the membership. */
  async subscribe(userId: string, request: SubscribeToPlanInput): Promise<MembershipDocument> {
    const key = request.idempotencyKey;
    if (key.length === 0) throw badInput('idempotencyKey', 'must not be empty: send a new random value (e.g. a UUID) per purchase and the same one to retry it.');
    if (!CLIENT_KEY.test(key)) throw badInput('idempotencyKey', 'must be 1 to 128 letters, digits, "-" or "_".');
    if (request.paymentToken.trim().length === 0) throw badInput('paymentToken', 'must not be empty.');
    if (request.paymentToken.length > MAX_TOKEN_LENGTH) throw badInput('paymentToken', `must be at most ${MAX_TOKEN_LENGTH} characters.`);
    const plan = this.deps.plans.get(request.planCode);
    const fingerprint = `${OperationKind.SUBSCRIBE}:${plan.code}`;

    const operation = await this.perform({
      userId,
      clientKey: key,
      fingerprint,
      paymentToken: request.paymentToken,
      prepare: (membership) => {
        if (membership?.status === MembershipStatus.ACTIVE) {
          throw badInput('planCode', 'you already have an ACTIVE membership: use changePlan to switch plans.');
        }
        const start = new Date();
        const end = addMonth(start);
        const credit = Math.min(membership?.creditCents ?? 0, plan.priceCents);
        const lines = [{ description: `${plan.name} plan, ${formatDay(start)} to ${formatDay(end)}`, amountCents: plan.priceCents }, ...creditLine(credit)];
        return {
          key,
          kind: OperationKind.SUBSCRIBE,
          fingerprint,
          membershipRevision: membership?.revision ?? 0,
          membershipId: membership?.id ?? new Types.ObjectId().toHexString(),
          planCode: plan.code,
          currency: CURRENCY,
          lines,
          amountCents: total(lines),
          creditUsedCents: credit,
          periodStart: start,
          periodEnd: end,
        };
      },
    });
    return this.membershipOf(operation!);
  }

  /**
   * Switches plan now. An upgrade charges the price difference for the rest of the period
   * (prorated, half-up cents) on its own PAID invoice; a downgrade credits that difference to
   * the membership, taken off the next invoices.
   */
  async changePlan(userId: string, planCode: PlanCode): Promise<MembershipDocument> {
    const plan = this.deps.plans.get(planCode);
    const operation = await this.perform({
      userId,
      prepare: (membership) => {
        if (!membership || membership.status !== MembershipStatus.ACTIVE) throw membershipRequired('change plans');
        if (membership.planCode === plan.code) throw badInput('planCode', `${plan.code} is already your plan.`);
        const current = this.deps.plans.get(membership.planCode);
        const now = new Date();
        const { currentPeriodStart: start, currentPeriodEnd: end } = membership;
        const difference = prorate(plan.priceCents - current.priceCents, end.getTime() - now.getTime(), end.getTime() - start.getTime());
        const lines = difference > 0 ? [{ description: `Upgrade from ${current.name} to ${plan.name}, ${formatDay(now)} to ${formatDay(end)}`, amountCents: difference }] : [];
        return {
          key: `change:${membership.revision}:${plan.code}`,
          kind: OperationKind.CHANGE_PLAN,
          fingerprint: `${OperationKind.CHANGE_PLAN}:${plan.code}`,
          membershipRevision: membership.revision,
          membershipId: membership.id,
          planCode: plan.code,
          currency: CURRENCY,
          lines,
          amountCents: Math.max(difference, 0),
          creditUsedCents: Math.min(difference, 0),
          paymentMethodId: membership.paymentMethodId,
        };
      },
    });
    return this.membershipOf(operation!);
  }

  /** An ACTIVE membership keeps access until its period ends; a PAST_DUE one ends now. */
  async cancel(userId: string): Promise<MembershipDocument> {
    const operation = await this.perform({
      userId,
      prepare: (membership) => {
        if (!membership || membership.status === MembershipStatus.CANCELED) throw membershipRequired('cancel it');
        if (membership.cancelAtPeriodEnd) return null;
        return {
          key: `cancel:${membership.revision}`,
          kind: OperationKind.CANCEL,
          fingerprint: OperationKind.CANCEL,
          membershipRevision: membership.revision,
          membershipId: membership.id,
          planCode: membership.planCode,
          currency: CURRENCY,
          lines: [],
          amountCents: 0,
          creditUsedCents: 0,
        };
      },
    });
    return operation ? this.membershipOf(operation) : this.memberships.findOne({ userId }).orFail().exec();
  }

  /**
   * Bills every membership whose period ended by `asOf`: renews it (PAID invoice), marks it
   * PAST_DUE when the card declines (OPEN invoice), or ends it when it was canceled. Each
   * period's work is one operation keyed by membership and period, so a second run for the
   * same date (or a concurrent one) finds nothing left to do.
   */
  async runRenewals(asOf: Date): Promise<RenewalReport> {
    const report: RenewalReport = { asOf, renewed: 0, pastDue: 0, ended: 0 };
    const due = await this.memberships
      .find({ status: MembershipStatus.ACTIVE, currentPeriodEnd: { $lte: asOf } })
      .sort({ currentPeriodEnd: 1, _id: 1 })
      .exec();
    for (const membership of due) {
      for (let period = 0; period < MAX_CATCH_UP_PERIODS; period += 1) {
        const operation = await this.perform({ userId: membership.userId, prepare: (current) => this.renewalDraft(current, asOf) });
        if (!operation) break;
        if (operation.kind === OperationKind.END) report.ended += 1;
        else if (operation.declined) report.pastDue += 1;
        else report.renewed += 1;
      }
    }
    this.deps.logger.info(report, 'renewal run finished');
    return report;
  }

  private renewalDraft(membership: MembershipDocument | null, asOf: Date): OperationDraft | null {
    if (!membership || membership.status !== MembershipStatus.ACTIVE || membership.currentPeriodEnd > asOf) return null;
    const start = membership.currentPeriodEnd;
    const base = {
      membershipRevision: membership.revision,
      membershipId: membership.id,
      planCode: membership.planCode,
      currency: CURRENCY,
      periodStart: start,
      paymentMethodId: membership.paymentMethodId,
    };
    if (membership.cancelAtPeriodEnd) {
      return { ...base, key: `end:${membership.id}:${start.toISOString()}`, kind: OperationKind.END, fingerprint: OperationKind.END, lines: [], amountCents: 0, creditUsedCents: 0 };
    }
    const plan = this.deps.plans.get(membership.planCode);
    const end = addMonth(start);
    const credit = Math.min(membership.creditCents, plan.priceCents);
    const lines = [{ description: `${plan.name} plan, ${formatDay(start)} to ${formatDay(end)}`, amountCents: plan.priceCents }, ...creditLine(credit)];
    return {
      ...base,
      key: `renewal:${membership.id}:${start.toISOString()}`,
      kind: OperationKind.RENEW,
      fingerprint: OperationKind.RENEW,
      lines,
      amountCents: total(lines),
      creditUsedCents: credit,
      periodEnd: end,
    };
  }

  /**
   * Starts the operation the membership's current state calls for, or joins the one already
   * under way: a replayed key answers the first result; a request that finds the membership
   * busy with another waits for it and then decides again against the new state.
   */
  private async perform(request: PerformRequest): Promise<OperationDocument | null> {
    const { userId, clientKey } = request;
    const deadline = Date.now() + this.deps.options.waitMs;
    for (;;) {
      if (clientKey) {
        const replay = await this.ops.findByKey(userId, clientKey);
        if (replay) return this.replay(replay, request.fingerprint!, request.paymentToken, deadline);
      }
      const draft = request.prepare(await this.memberships.findOne({ userId }).exec());
      if (!draft) return null;
      const started = await this.ops.tryStart(userId, draft);
      if (started) return this.outcome(await this.drive(started, request.paymentToken));
      const sameKey = await this.ops.findByKey(userId, draft.key);
      if (sameKey) return this.replay(sameKey, draft.fingerprint, request.paymentToken, deadline);
      const holder = await this.ops.findBySlot(slotOf(userId, draft.membershipRevision));
      if (holder) await this.settled(holder, undefined, deadline);
      if (Date.now() > deadline) throw new Error(`membership of user ${userId} stayed busy for ${this.deps.options.waitMs} ms`);
    }
  }

  private async replay(operation: OperationDocument, fingerprint: string, paymentToken: string | undefined, deadline: number) {
    if (operation.fingerprint !== fingerprint) {
      throw badInput('idempotencyKey', 'was already used for a different request: use a new key for a new purchase.');
    }
    return this.outcome(await this.settled(operation, paymentToken, deadline));
  }

  /** Waits for a pending operation to finish, resuming it if its process's lease ran out. */
  private async settled(operation: OperationDocument, paymentToken: string | undefined, deadline: number): Promise<OperationDocument> {
    let current = operation;
    while (current.status === OperationStatus.PENDING) {
      if (current.lockedUntil.getTime() <= Date.now()) {
        const claimed = await this.ops.claim(current);
        if (claimed) return this.drive(claimed, paymentToken);
      }
      if (Date.now() > deadline) throw new Error(`operation ${current.id} is still in progress`);
      await sleep(this.deps.options.pollMs);
      current = await this.ops.reload(current);
    }
    return current;
  }

  private outcome(operation: OperationDocument): OperationDocument {
    if (operation.status === OperationStatus.FAILED) throw this.ops.failure(operation);
    return operation;
  }

  /**
   * Carries an operation to its end. A client error (a decline, a bad token) is its recorded
   * outcome; anything else leaves it pending with its lease released, so a retry resumes it.
   */
  private async drive(operation: OperationDocument, paymentToken: string | undefined): Promise<OperationDocument> {
    try {
      return await this.execute(operation, paymentToken);
    } catch (error) {
      if (error instanceof GraphQLError && isPublicError(error)) return this.ops.fail(operation, error);
      await this.ops.release(operation).catch(() => undefined);
      throw error;
    }
  }

  private async execute(start: OperationDocument, paymentToken: string | undefined): Promise<OperationDocument> {
    let op = start;
    switch (op.kind) {
      case OperationKind.SUBSCRIBE:
        op = await this.ensurePaymentMethod(op, paymentToken);
        op = await this.ensureCharge(op);
        if (op.declined) throw declined();
        op = await this.ensureInvoice(op, InvoiceStatus.PAID);
        await this.activate(op);
        break;
      case OperationKind.CHANGE_PLAN:
        op = await this.ensureCharge(op);
        if (op.declined) throw declined();
        if (op.amountCents > 0) op = await this.ensureInvoice(op, InvoiceStatus.PAID);
        await this.compareAndSet(op, { $set: { planCode: op.planCode }, $inc: { creditCents: -op.creditUsedCents } });
        break;
      case OperationKind.CANCEL:
        await this.applyCancel(op);
        break;
      case OperationKind.RENEW:
        op = await this.ensureCharge(op);
        if (op.declined) {
          op = await this.ensureInvoice(op, InvoiceStatus.OPEN);
          await this.compareAndSet(op, { $set: { status: MembershipStatus.PAST_DUE } });
        } else {
          op = await this.ensureInvoice(op, InvoiceStatus.PAID);
          await this.compareAndSet(op, {
            $set: { currentPeriodStart: op.periodStart!, currentPeriodEnd: op.periodEnd! },
            $inc: { creditCents: -op.creditUsedCents },
          });
        }
        break;
      case OperationKind.END:
        await this.compareAndSet(op, { $set: { status: MembershipStatus.CANCELED, endedAt: op.periodStart! } });
        break;
    }
    await this.deps.entitlements.invalidate(op.userId);
    return this.ops.succeed(op, op.membershipId!);
  }

  private async ensurePaymentMethod(op: OperationDocument, paymentToken: string | undefined): Promise<OperationDocument> {
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
  private async ensureCharge(op: OperationDocument): Promise<OperationDocument> {
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

  private async ensureInvoice(op: OperationDocument, status: typeof InvoiceStatus.PAID | typeof InvoiceStatus.OPEN): Promise<OperationDocument> {
    if (op.invoiceId) return op;
    const invoice = await this.deps.invoices.issue({
      sourceKey: op.kind === OperationKind.RENEW ? op.key : `operation:${op.id}`,
      userId: op.userId,
      membershipId: op.membershipId!,
      currency: op.currency,
      lines: op.lines,
      status,
      issuedAt: new Date(),
    });
    return this.ops.record(op, { invoiceId: invoice.id });
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
        await this.memberships.create({ _id: op.membershipId!, userId: op.userId, ...fields, creditCents: 0, revision: 1 });
      } catch (error) {
        // Created by this very operation before it was interrupted: it holds the user's first slot.
        if (!isDuplicateKeyError(error)) throw error;
      }
    } else {
      await this.compareAndSet(op, { $set: fields, $inc: { creditCents: -op.creditUsedCents } });
    }
    await this.deps.invoices.voidOpen(op.userId);
  }

  private async applyCancel(op: OperationDocument): Promise<void> {
    const membership = await this.memberships.findById(op.membershipId!).orFail().exec();
    if (membership.revision !== op.membershipRevision) return;
    if (membership.status === MembershipStatus.PAST_DUE) {
      await this.compareAndSet(op, { $set: { status: MembershipStatus.CANCELED, endedAt: new Date() } });
      await this.deps.invoices.voidOpen(op.userId);
    } else {
      await this.compareAndSet(op, { $set: { cancelAtPeriodEnd: true } });
    }
  }

  /** Applies the operation to the revision it was planned against, exactly once. */
  private async compareAndSet(op: OperationDocument, update: { $set: Record<string, unknown>; $inc?: Record<string, number> }): Promise<void> {
    const result = await this.memberships
      .updateOne({ _id: op.membershipId!, revision: op.membershipRevision }, { $set: update.$set, $inc: { ...update.$inc, revision: 1 } })
      .exec();
    if (result.matchedCount === 1) return;
    // This operation holds the slot of that revision, so only it can have moved it on.
    const current = await this.memberships.findById(op.membershipId!).exec();
    if (!current || current.revision <= op.membershipRevision) {
      throw new Error(`membership ${op.membershipId} is not at revision ${op.membershipRevision}`);
    }
  }

  private membershipOf(operation: OperationDocument): Promise<MembershipDocument> {
    return this.memberships.findById(operation.membershipId).orFail().exec();
  }
}
