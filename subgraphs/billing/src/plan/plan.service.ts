import { badInput, type Logger } from '@ott/kit';
import { PlanCode, VideoQuality, type Plan, type PlanDocument, type PlanModel } from './plan.model';

/** The one currency of the service: every price and invoice is in its integer cents. */
export const CURRENCY = 'EUR';

type PlanSeed = Omit<Plan, '_id' | 'id'>;

const CATALOGUE: readonly PlanSeed[] = [
  { code: PlanCode.BASIC, name: 'Basic', priceCents: 899, currency: CURRENCY, maxStreams: 1, maxQuality: VideoQuality.SD, rank: 1 },
  { code: PlanCode.STANDARD, name: 'Standard', priceCents: 1399, currency: CURRENCY, maxStreams: 2, maxQuality: VideoQuality.HD, rank: 2 },
  { code: PlanCode.PREMIUM, name: 'Premium', priceCents: 1999, currency: CURRENCY, maxStreams: 4, maxQuality: VideoQuality.UHD, rank: 3 },
];

/**
 * Plans change only with a deploy, so they are seeded at start and then served from memory:
 * every membership, invoice and entitlement read needs one and none should cost a query.
 */
export class PlanService {
  private byCode = new Map<PlanCode, PlanDocument>();

  constructor(
    private readonly plans: PlanModel,
    private readonly logger: Logger,
  ) {}

  /** Idempotent upsert by code: the code's catalogue is the truth, any number of starts agree. */
  async seed(): Promise<void> {
    for (const plan of CATALOGUE) {
      await this.plans
        .updateOne({ _id: plan.code }, { $set: plan }, { upsert: true })
        .exec()
        .catch(async (error: unknown) => {
          // Two instances starting together may race on the upsert; the loser's write is the same.
          if ((error as { code?: unknown }).code !== 11000) throw error;
          await this.plans.updateOne({ _id: plan.code }, { $set: plan }).exec();
        });
    }
    await this.reload();
    this.logger.info({ plans: [...this.byCode.keys()] }, 'plans seeded');
  }

  async reload(): Promise<void> {
    const plans = await this.plans.find().exec();
    this.byCode = new Map(plans.map((plan) => [plan.code, plan]));
  }

  all(): PlanDocument[] {
    return [...this.byCode.values()].sort((a, b) => a.rank - b.rank);
  }

  find(code: string): PlanDocument | undefined {
    return this.byCode.get(code as PlanCode);
  }

  /** A plan the caller named: unknown codes are the caller's mistake. */
  get(code: string, field = 'planCode'): PlanDocument {
    const plan = this.find(code);
    if (!plan) throw badInput(field, `"${code}" is not a plan; choose one of ${[...this.byCode.keys()].join(', ')}.`);
    return plan;
  }
}
