import DataLoader from 'dataloader';
import type { EntityRef } from '@ott/kit';
import type { RatingSummary } from '../summary/summary.model';
import type { SummaryService } from '../summary/summary.service';
import type { RatingDocument } from './rating.model';
import type { RatingService } from './rating.service';

/** Per-request loaders: one `$in` query per batch, answered in key order. */
export function createRatingLoaders(
  ratings: RatingService,
  summaries: SummaryService,
  userId: string | null,
  contents: DataLoader<string, EntityRef | null>,
) {
  return {
    ratingById: new DataLoader<string, RatingDocument | null>(async (ids) => {
      const found = new Map((await ratings.findByIds(ids)).map((rating) => [rating.id as string, rating]));
      return ids.map((id) => found.get(id) ?? null);
    }),
    summaryByContentId: new DataLoader<string, RatingSummary | null>(async (ids) => {
      const found = new Map((await summaries.findByContentIds(ids)).map((summary) => [summary._id, summary]));
      return ids.map((id) => found.get(id) ?? null);
    }),
    /** The caller's own rating per title; null for everyone when signed out. */
    myRatingByContentId: new DataLoader<string, RatingDocument | null>(async (ids) => {
      if (!userId) return ids.map(() => null);
      const found = new Map((await ratings.findOfUser(userId, ids)).map((rating) => [rating.contentId, rating]));
      return ids.map((id) => found.get(id) ?? null);
    }),
    /** Which titles catalog knows: one batched `_entities` call per request, cached in Redis. */
    contentById: contents,
  };
}
