import { modelOptions, prop, type ReturnModelType } from '@typegoose/typegoose';
import { modelOn } from '@ott/kit';
import type { Connection } from 'mongoose';

/**
 * The running sum and count of one title's scores, changed by `$inc` on every create, replace
 * and delete, so reading an average never aggregates. Not a GraphQL type: `Content` shows it.
 */
@modelOptions({ schemaOptions: { collection: 'summaries', versionKey: false } })
export class RatingSummary {
  /** The content id. */
  @prop({ type: () => String, required: true })
  _id: string;

  @prop({ type: () => Number, required: true, default: 0 })
  sum: number;

  @prop({ type: () => Number, required: true, default: 0 })
  count: number;
}

/**
 * A lease on one title's ratings, held while its rating and summary are written (see
 * ContentLocks). A lease left behind marks a writer that died between the two writes.
 */
@modelOptions({ schemaOptions: { collection: 'rating_locks', versionKey: false } })
export class RatingLock {
  /** The content id. */
  @prop({ type: () => String, required: true })
  _id: string;

  @prop({ type: () => String, required: true })
  owner: string;

  @prop({ type: () => Date, required: true })
  expiresAt: Date;
}

export type RatingSummaryModel = ReturnModelType<typeof RatingSummary>;
export type RatingLockModel = ReturnModelType<typeof RatingLock>;

export const createSummaryModels = (connection: Connection) => ({
  summaries: modelOn(RatingSummary, connection),
  locks: modelOn(RatingLock, connection),
});

/** Average score rounded to one decimal in integer arithmetic (8.15 → 8.2, not 8.1); null with no ratings. */
export function averageOf(summary: { sum: number; count: number } | null | undefined): number | null {
  if (!summary || summary.count <= 0) return null;
  return Math.round((summary.sum * 10) / summary.count) / 10;
}
