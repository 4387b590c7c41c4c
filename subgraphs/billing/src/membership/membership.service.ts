import { Types } from 'mongoose';
import { appError, badInput } from '@ott/kit';
import { ErrorCode } from '../errors';
import { OperationKind, type OperationDocument } from '../operation/operation.model';
import type { OperationRunner } from '../operation/operation.runner';
import type { PlanCode } from '../plan/plan.model';
import { CURRENCY, type PlanService } from '../plan/plan.service';
import { addMonth, formatDay, periodLines, prorate, totalCents } from './billing-math';
import type { SubscribeToPlanInput } from './membership.inputs';
import { MembershipStatus, type MembershipDocument, type MembershipModel } from './membership.model';

// Client keys cannot contain ':', which every key derived from a membership's state does.
const CLIENT_KEY = /^[A-Za-z0-9_-]{1,128}$/;
const MAX_TOKEN_LENGTH = 256;

const membershipRequired = (what: string) => appError(ErrorCode.MEMBERSHIP_REQUIRED, `You need an ACTIVE membership to ${what}: subscribe to a plan first.`);

export interface MembershipServiceDeps {
  memberships: MembershipModel;
  runner: OperationRunner;
  plans: PlanService;
}

/**
 * The membership rules: what subscribing, changing plan and canceling may do from the
 * membership's current state, and what each asks for. Each runs as one operation through
 * the OperationRunner, which is what makes it happen once (membership.effects.ts says what
 * each operation then does).
 */
export class MembershipService {
  private readonly memberships: MembershipModel;

  constructor(private readonly deps: MembershipServiceDeps) {
    this.memberships = deps.memberships;
  }

  findByUserIds(userIds: readonly string[]): Promise<MembershipDocument[]> {
    return this.memberships.find({ userId: { $in: [...userIds] } }).exec();
  }

  /** Charges the first period now, issues its PAID invoice and activates the membership. */
  async subscribe(userId: string, request: SubscribeToPlanInput): Promise<MembershipDocument> {
    const key = request.idempotencyKey;
    if (key.length === 0)
      throw badInput('idempotencyKey', 'must not be empty: send a new random value (e.g. a UUID) per purchase and the same one to retry it.');
    if (!CLIENT_KEY.test(key)) throw badInput('idempotencyKey', 'must be 1 to 128 letters, digits, "-" or "_".');
    if (request.paymentToken.trim().length === 0) throw badInput('paymentToken', 'must not be empty.');
    if (request.paymentToken.length > MAX_TOKEN_LENGTH) throw badInput('paymentToken', `must be at most ${MAX_TOKEN_LENGTH} characters.`);
    const plan = this.deps.plans.get(request.planCode);
    const fingerprint = `${OperationKind.SUBSCRIBE}:${plan.code}`;

    const operation = await this.deps.runner.perform({
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
        const lines = periodLines(plan, start, end, credit);
        return {
          key,
          kind: OperationKind.SUBSCRIBE,
          fingerprint,
          membershipRevision: membership?.revision ?? 0,
          membershipId: membership?.id ?? new Types.ObjectId().toHexString(),
          planCode: plan.code,
          currency: CURRENCY,
          lines,
          amountCents: totalCents(lines),
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
    const operation = await this.deps.runner.perform({
      userId,
      prepare: (membership) => {
        if (!membership || membership.status !== MembershipStatus.ACTIVE) throw membershipRequired('change plans');
        if (membership.planCode === plan.code) throw badInput('planCode', `${plan.code} is already your plan.`);
        const current = this.deps.plans.get(membership.planCode);
        const now = new Date();
        const { currentPeriodStart: start, currentPeriodEnd: end } = membership;
        const difference = prorate(plan.priceCents - current.priceCents, end.getTime() - now.getTime(), end.getTime() - start.getTime());
        const lines =
          difference > 0
            ? [{ description: `Upgrade from ${current.name} to ${plan.name}, ${formatDay(now)} to ${formatDay(end)}`, amountCents: difference }]
            : [];
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
    const operation = await this.deps.runner.perform({
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

  private membershipOf(operation: OperationDocument): Promise<MembershipDocument> {
    return this.memberships.findById(operation.membershipId).orFail().exec();
  }
}
