import { modelOptions, prop, type ReturnModelType } from '@typegoose/typegoose';
import { modelOn } from '@ott/kit';
import type { Connection } from 'mongoose';
import type { Sharding } from '@ott/kit';

/**
 * The running sum and count of one title's scores, changed on every create, replace and delete,
 * so reading an average never aggregates. Not a GraphQL type: `Content` shows it.
 *
 * The same document carries the title's lease (see ContentLocks): `lockedBy` names the writer
 * holding it until `lockedUntil`; both are absent while nobody writes. `version` counts the
 * changes, so whoever reads the published totals can keep the newest.
 */
@modelOptions({ schemaOptions: { collection: 'summaries', versionKey: false } })
export class RatingSummary {
  /** One document per title, read by title: as small and read-mostly as the catalogue. */
  static readonly sharding: Sharding = { unsharded: 'one document per title (catalogue-sized), not member-scoped' };

  /** The content id. */
  @prop({ type: () => String, required: true })
  _id: string;

  @prop({ type: () => Number, required: true, default: 0 })
  sum: number;

  @prop({ type: () => Number, required: true, default: 0 })
  count: number;

  @prop({ type: () => Number, required: true, default: 0 })
  version: number;

  @prop({ type: () => String })
  lockedBy?: string;

  @prop({ type: () => Date })
  lockedUntil?: Date;
}

export type RatingSummaryModel = ReturnModelType<typeof RatingSummary>;

export const createSummaryModels = (connection: Connection) => ({
  summaries: modelOn(RatingSummary, connection),
});

/** Average score rounded to one decimal in integer arithmetic (8.15 → 8.2, not 8.1); null with no ratings. */
export function averageOf(summary: { sum: number; count: number } | null | undefined): number | null {
  if (!summary || summary.count <= 0) return null;
  return Math.round((summary.sum * 10) / summary.count) / 10;
}
