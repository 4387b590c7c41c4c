import type { Logger } from '@ott/kit';
import type { RatingModel } from '../rating/rating.model';
import type { ContentLocks, Lease, ReleasedTotals } from './content-locks';
import type { RatingSummary, RatingSummaryModel } from './summary.model';
import type { RatingSummaryPublisher } from './summary.publisher';

export interface RepairReport {
  titles: number;
  corrected: number;
}

/** Per-title sums and counts: changed only by the release of the title's lease (see ContentLocks). */
export class SummaryService {
  constructor(
    private readonly summaries: RatingSummaryModel,
    private readonly ratings: RatingModel,
    private readonly publisher: RatingSummaryPublisher,
    private readonly logger: Logger,
  ) {}

  async findByContentIds(contentIds: readonly string[]): Promise<RatingSummary[]> {
    return this.summaries
      .find({ _id: { $in: [...contentIds] } })
      .lean()
      .exec();
  }

  /** Tells catalog a title's new totals (ContentLocks calls it after each release that changed them). */
  async publish(totals: ReleasedTotals): Promise<void> {
    await this.publisher.publish(totals);
  }

  /**
   * Rebuilds one title's totals from its ratings into the lease (its release stores and
   * publishes them); answers whether they had drifted. ContentLocks' recovery and `repair`
   * call it holding the title's lease, so no change lands between the read and the release.
   */
  async recompute(contentId: string, lease: Lease): Promise<boolean> {
    // Sum and count in separate commands: FerretDB 1.24 answers 0 for every $group
    // accumulator after the first one.
    const [[totals], count, before] = await Promise.all([
      this.ratings.aggregate<{ sum: number }>([{ $match: { contentId } }, { $group: { _id: '$contentId', sum: { $sum: '$score' } } }]).exec(),
      this.ratings.countDocuments({ contentId }).exec(),
      this.summaries.findById(contentId, { sum: 1, count: 1 }).lean().exec(),
    ]);
    const sum = totals?.sum ?? 0;
    lease.replace({ sum, count });
    const drifted = (before?.sum ?? 0) !== sum || (before?.count ?? 0) !== count;
    if (drifted)
      this.logger.warn({ contentId, before: before && { sum: before.sum, count: before.count }, after: { sum, count } }, 'repaired a rating summary');
    return drifted;
  }

  /**
   * Recomputes every title that has ratings or a summary, each under its lease so it can run
   * beside live traffic, and re-publishes every summary to catalog. One `$group` finds the
   * titles; each is then recomputed on its own so no concurrent change is overwritten.
   */
  async repairAll(locks: ContentLocks): Promise<RepairReport> {
    const rated = await this.ratings.aggregate<{ _id: string }>([{ $group: { _id: '$contentId' } }]).exec();
    const summarised = await this.summaries.find({}, { _id: 1 }).lean().exec();
    const titles = [...new Set([...rated.map((r) => r._id), ...summarised.map((s) => s._id)])];
    let corrected = 0;
    for (const contentId of titles) {
      if (await locks.run(contentId, (lease) => this.recompute(contentId, lease))) corrected += 1;
    }
    return { titles: titles.length, corrected };
  }
}
