import type DataLoader from 'dataloader';
import { appError, ErrorCode, keysetPage, objectIdOrNull, type EntityRef, type Page } from '@ott/kit';
import { isValidObjectId } from 'mongoose';
import type { ContentLocks } from '../summary/content-locks';
import type { SummaryService } from '../summary/summary.service';
import type { RatingDocument, RatingModel } from './rating.model';
import { normalizeContentId, normalizeReview, validateScore } from './rating.validation';

export interface RateInput {
  contentId: string;
  score: number;
  review?: string | null;
}

export type RatingPage = Page<RatingDocument>;

/**
 * Ratings and the per-title totals they feed. Every change to a title's ratings happens under
 * that title's lease, as one unit with its `$inc` (see ContentLocks), so the totals equal the
 * ratings however many members rate at once. If the process dies between the rating write and
 * the `$inc`, the lease stays behind; the next writer of that title (or start-up, or the
 * repair command) recomputes the title from its ratings.
 */
export class RatingService {
  constructor(
    private readonly ratings: RatingModel,
    private readonly summaries: SummaryService,
    private readonly locks: ContentLocks,
  ) {}

  /** Creates the caller's rating of a title or replaces its score and review. */
  async rate(userId: string, input: RateInput, contents: DataLoader<string, EntityRef | null>): Promise<RatingDocument> {
    const score = validateScore(input.score);
    const review = normalizeReview(input.review);
    const contentId = normalizeContentId(input.contentId);
    if (!(await contents.load(contentId))) {
      throw appError(ErrorCode.CONTENT_NOT_FOUND, `No movie or show with id "${contentId}": rate a title from the catalogue.`, { contentId });
    }
    return this.locks.run(contentId, async () => {
      const now = new Date();
      const previous = await this.ratings
        .findOneAndUpdate({ userId, contentId }, { $set: { score, review, updatedAt: now } }, { returnDocument: 'before' })
        .exec();
      if (previous) {
        const delta = score - previous.score;
        if (delta !== 0) await this.summaries.apply(contentId, delta, 0);
        previous.set({ score, review, updatedAt: now });
        return previous;
      }
      const created = await this.ratings.create({ userId, contentId, score, review, createdAt: now, updatedAt: now });
      await this.summaries.apply(contentId, score, 1);
      return created;
    });
  }

  /** Removes the caller's rating of a title; false when there was none. */
  async delete(userId: string, rawContentId: string): Promise<boolean> {
    const contentId = normalizeContentId(rawContentId);
    return this.locks.run(contentId, async () => {
      const deleted = await this.ratings.findOneAndDelete({ userId, contentId }).exec();
      if (!deleted) return false;
      await this.summaries.apply(contentId, -deleted.score, -1);
      return true;
    });
  }

  async findByIds(ids: readonly string[]): Promise<RatingDocument[]> {
    const valid = ids.filter((id) => isValidObjectId(id));
    return valid.length === 0 ? [] : this.ratings.find({ _id: { $in: valid } }).exec();
  }

  /** One user's ratings of the given titles, in one query on the unique index. */
  async findOfUser(userId: string, contentIds: readonly string[]): Promise<RatingDocument[]> {
    return this.ratings.find({ userId, contentId: { $in: [...contentIds] } }).exec();
  }

  /** A member's ratings, newest first. */
  pageOfUser(userId: string, first: number | null | undefined, after: string | null | undefined): Promise<RatingPage> {
    return this.page({ userId }, first, after);
  }

  /** A title's ratings (its reviews), newest first. */
  pageOfContent(contentId: string, first: number | null | undefined, after: string | null | undefined): Promise<RatingPage> {
    return this.page({ contentId }, first, after);
  }

  /** Newest first, within one user or one title. */
  private page(scope: { userId: string } | { contentId: string }, first: number | null | undefined, after: string | null | undefined): Promise<RatingPage> {
    return keysetPage<RatingDocument>({
      filter: scope,
      sortField: 'createdAt',
      find: (filter, sort, limit) => this.ratings.find(filter).sort(sort).limit(limit).exec(),
      count: () => this.ratings.countDocuments(scope).exec(),
      valueOf: (rating) => rating.createdAt,
      idOf: (rating) => rating.id as string,
      parseId: objectIdOrNull,
      first,
      after,
    });
  }
}
