import type DataLoader from 'dataloader';
import { byIdLoader, type EntityRef } from '@ott/kit';
import type { RatingSummary } from '../summary/summary.model';
import type { SummaryService } from '../summary/summary.service';
import type { RatingDocument } from './rating.model';
import type { RatingService } from './rating.service';

/** Per-request loaders: one `$in` query per batch, answered in key order. */
export function createRatingLoaders(ratings: RatingService, summaries: SummaryService, userId: string | null, contents: DataLoader<string, EntityRef | null>) {
  return {
    ratingById: byIdLoader<RatingDocument>(
      (ids) => ratings.findByIds(ids),
      (rating) => rating.id as string,
    ),
    summaryByContentId: byIdLoader<RatingSummary>(
      (ids) => summaries.findByContentIds(ids),
      (summary) => summary._id,
    ),
    /** The caller's own rating per title; null for everyone when signed out. */
    myRatingByContentId: byIdLoader<RatingDocument>(
      async (ids) => (userId ? ratings.findOfUser(userId, ids) : []),
      (rating) => rating.contentId,
    ),
    /** Which titles catalog knows: one batched `_entities` call per request, cached in Redis. */
    contentById: contents,
  };
}
