import type { Logger } from '@ott/kit';
import { addMonth, periodLines, totalCents } from '../membership/billing-math';
import { MembershipStatus, type MembershipDocument, type MembershipModel } from '../membership/membership.model';
import { OperationKind } from '../operation/operation.model';
import type { OperationRunner } from '../operation/operation.runner';
import type { OperationDraft } from '../operation/operation.store';
import { CURRENCY, type PlanService } from '../plan/plan.service';
import type { RenewalReport } from './renewal-report.type';

// A renewal run far behind catches up period by period, so running it again for the same
// date has nothing left to do; the bound only stops a bug from looping.
const MAX_CATCH_UP_PERIODS = 36;

export interface RenewalServiceDeps {
  memberships: MembershipModel;
  runner: OperationRunner;
  plans: PlanService;
  logger: Logger;
}

export class RenewalService {
  constructor(private readonly deps: RenewalServiceDeps) {}

  /**
   * Bills every membership whose period ended by `asOf`: renews it (PAID invoice), marks it
   * PAST_DUE when the card declines (OPEN invoice), or ends it when it was canceled. Each
   * period's work is one operation keyed by membership and period, so a second run for the
   * same date (or a concurrent one) finds nothing left to do.
   */
  async runRenewals(asOf: Date): Promise<RenewalReport> {
    const report: RenewalReport = { asOf, renewed: 0, pastDue: 0, ended: 0 };
    const due = await this.deps.memberships
      .find({ status: MembershipStatus.ACTIVE, currentPeriodEnd: { $lte: asOf } })
      .sort({ currentPeriodEnd: 1, _id: 1 })
      .exec();
    for (const membership of due) {
      for (let period = 0; period < MAX_CATCH_UP_PERIODS; period += 1) {
        const operation = await this.deps.runner.perform({ userId: membership.userId, prepare: (current) => this.renewalDraft(current, asOf) });
        if (!operation) break;
        if (operation.kind === OperationKind.END) report.ended += 1;
        else if (operation.declined) report.pastDue += 1;
        else report.renewed += 1;
      }
    }
    this.deps.logger.info(report, 'renewal run finished');
    return report;
  }

  /** The next period due by `asOf`, read from the membership's current state: billed, or ended if canceled. */
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
      return {
        ...base,
        key: `end:${membership.id}:${start.toISOString()}`,
        kind: OperationKind.END,
        fingerprint: OperationKind.END,
        lines: [],
        amountCents: 0,
        creditUsedCents: 0,
      };
    }
    const plan = this.deps.plans.get(membership.planCode);
    const end = addMonth(start);
    const credit = Math.min(membership.creditCents, plan.priceCents);
    const lines = periodLines(plan, start, end, credit);
    return {
      ...base,
      key: `renewal:${membership.id}:${start.toISOString()}`,
      kind: OperationKind.RENEW,
      fingerprint: OperationKind.RENEW,
      lines,
      amountCents: totalCents(lines),
      creditUsedCents: credit,
      periodEnd: end,
    };
  }
}
