import type { Logger } from '@ott/kit';
import type { RatingModel } from '../rating/rating.model';
import type { ContentLocks } from './content-locks';
import type { RatingSummary, RatingSummaryModel } from './summary.model';
import type { RatingSummaryPublisher } from './summary.publisher';

export interface RepairReport {
  titles: number;
  corrected: number;
}

/** Per-title sums and counts: changed by `$inc` only while the title's lease is held. */
export class SummaryService {
  constructor(
    private readonly summaries: RatingSummaryModel,
    private readonly ratings: RatingModel,
    private readonly publisher: RatingSummaryPublisher,
    private readonly logger: Logger,
  ) {}

  async findByContentIds(contentIds: readonly string[]): Promise<RatingSummary[]> {
    return this.summaries.find({ _id: { $in: [...contentIds] } }).lean().exec();
  }

  /** Adds a change to a title's totals and tells catalog the new ones. Call holding the lease. */
  async apply(contentId: string, sumDelta: number, countDelta: number): Promise<void> {
    const summary = await this.summaries
      .findOneAndUpdate({ _id: contentId }, { $inc: { sum: sumDelta, count: countDelta } }, { upsert: true, returnDocument: 'after' })
      .lean()
      .exec();
    await this.publisher.publish({ contentId, sum: summary!.sum, count: summary!.count });
  }

  /**
   * Rebuilds one title's totals from its ratings and publishes them; answers whether they had
   * drifted. Call holding the lease (ContentLocks' recovery and `repair` do).
   */
  async recompute(contentId: string): Promise<boolean> {
    // Sum and count in separate commands: FerretDB 1.24 answers 0 for every $group
    // accumulator after the first one.
    const [[totals], count] = await Promise.all([
      this.ratings.aggregate<{ sum: number }>([{ $match: { contentId } }, { $group: { _id: '$contentId', sum: { $sum: '$score' } } }]).exec(),
      this.ratings.countDocuments({ contentId }).exec(),
    ]);
    const sum = totals?.sum ?? 0;
    const before = await this.summaries.findOneAndUpdate({ _id: contentId }, { $set: { sum, count } }, { upsert: true, returnDocument: 'before' }).lean().exec();
    await this.publisher.publish({ contentId, sum, count });
    const drifted = (before?.sum ?? 0) !== sum || (before?.count ?? 0) !== count;
    if (drifted) this.logger.warn({ contentId, before: before && { sum: before.sum, count: before.count }, after: { sum, count } }, 'repaired a rating summary');
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
      if (await locks.run(contentId, () => this.recompute(contentId))) corrected += 1;
    }
    return { titles: titles.length, corrected };
  }
}
