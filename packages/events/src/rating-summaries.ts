import type { StreamContract } from '@ott/kit';
import { decodeFields, integer, text } from './fields';

/** A title's ratings as ratings holds them now: absolute values, so replaying one is harmless. */
export interface RatingSummary {
  contentId: string;
  sum: number;
  count: number;
  /** Counts the title's changes: of two summaries of one title, the higher version is the newer. Null from publishers that predate it. */
  version: number | null;
}

/** ratings → catalog (consumer group "catalog"). Entry: `contentId`, `sum`, `count`, `version`. */
export const ratingSummaries: StreamContract<RatingSummary> = {
  name: 'rating-summaries',
  encode: ({ contentId, sum, count, version }) => ({
    contentId,
    sum: String(sum),
    count: String(count),
    ...(version === null ? {} : { version: String(version) }),
  }),
  decode: (fields) =>
    decodeFields(fields, (f) => ({
      contentId: text(f, 'contentId'),
      sum: integer(f, 'sum'),
      count: integer(f, 'count', { min: 0 }),
      version: 'version' in f ? integer(f, 'version') : null,
    })),
};
