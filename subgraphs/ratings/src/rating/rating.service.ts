import type DataLoader from 'dataloader';
import { appError, keysetPage, objectIdOrNull, type EntityRef, type Page } from '@ott/kit';
import { isValidObjectId, Types } from 'mongoose';
import { ErrorCode } from '../errors';
import type { ContentLocks } from '../summary/content-locks';
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
 * that title's lease, which applies the change to the totals as it is released (see
 * ContentLocks), so the totals equal the ratings however many members rate at once. If the
 * process dies between the rating write and the release, the lease stays behind; the next
 * writer of that title (or start-up, or the repair command) recomputes the title.
 */
export class RatingService {
  constructor(
    private readonly ratings: RatingModel,
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
    return this.locks.run(contentId, async (lease) => {
      const now = new Date();
      const _id = new Types.ObjectId();
      // One write whether the rating is new or replaced: the previous version tells which.
      const previous = await this.ratings
        .findOneAndUpdate(
          { userId, contentId },
          { $set: { score, review, updatedAt: now }, $setOnInsert: { _id, createdAt: now } },
          { upsert: true, returnDocument: 'before' },
        )
        .exec();
      if (previous) {
        lease.add(score - previous.score, 0);
        previous.set({ score, review, updatedAt: now });
        return previous;
      }
      lease.add(score, 1);
      return this.ratings.hydrate({ _id, userId, contentId, score, review, createdAt: now, updatedAt: now });
    });
  }

  /** Removes the caller's rating of a title; false when there was none. */
  async delete(userId: string, rawContentId: string): Promise<boolean> {
    const contentId = normalizeContentId(rawContentId);
    return this.locks.run(contentId, async (lease) => {
      const deleted = await this.ratings.findOneAndDelete({ userId, contentId }).exec();
      if (!deleted) return false;
      lease.add(-deleted.score, -1);
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
