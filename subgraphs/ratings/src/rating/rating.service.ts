import type DataLoader from 'dataloader';
import { appError, badInput, decodeCursor, encodeCursor, ErrorCode, pageSize, type EntityRef } from '@ott/kit';
import { isValidObjectId, Types, type QueryFilter } from 'mongoose';
import type { ContentLocks } from '../summary/content-locks';
import type { SummaryService } from '../summary/summary.service';
import type { Rating, RatingDocument, RatingModel } from './rating.model';
import { normalizeContentId, normalizeReview, validateScore } from './rating.validation';

export interface RateInput {
  contentId: string;
  score: number;
  review?: string | null;
}

export interface RatingPage {
  edges: { cursor: string; node: RatingDocument }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

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

  /** Keyset paging over (createdAt, id), both descending, within one user or one title. */
  private async page(scope: { userId: string } | { contentId: string }, first: number | null | undefined, after: string | null | undefined): Promise<RatingPage> {
    const size = pageSize(first);
    const filter: QueryFilter<Rating> = { ...scope };
    if (after) {
      const [createdAt, id] = decodeCursor(after, 2);
      if (typeof createdAt !== 'number' || typeof id !== 'string' || !isValidObjectId(id)) {
        throw badInput('after', 'is not a cursor from this list; pass an endCursor you received.');
      }
      const at = new Date(createdAt);
      filter.$or = [{ createdAt: { $lt: at } }, { createdAt: at, _id: { $lt: new Types.ObjectId(id) } }];
    }
    const [found, totalCount] = await Promise.all([
      this.ratings.find(filter).sort({ createdAt: -1, _id: -1 }).limit(size + 1).exec(),
      this.ratings.countDocuments(scope).exec(),
    ]);
    const nodes = found.slice(0, size);
    const edges = nodes.map((node) => ({ cursor: encodeCursor([node.createdAt.getTime(), node.id as string]), node }));
    return { edges, pageInfo: { hasNextPage: found.length > size, endCursor: edges.at(-1)?.cursor ?? null }, totalCount };
  }
}
