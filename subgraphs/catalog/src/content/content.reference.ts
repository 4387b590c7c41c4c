import type { Context } from '../context';
import { ContentKind, type ContentRecord } from './content.model';

/** A representation typed as a concrete kind resolves only to content of that kind. */
const resolveContent =
  (kind?: ContentKind) =>
  async (reference: { id: string }, ctx: Context): Promise<ContentRecord | null> => {
    const record = await ctx.loaders.contentById.load(reference.id);
    return record && (!kind || record.kind === kind) ? record : null;
  };

export const contentReference = {
  Content: { __resolveReference: resolveContent() },
  Movie: { __resolveReference: resolveContent(ContentKind.MOVIE) },
  TvShow: { __resolveReference: resolveContent(ContentKind.TV_SHOW) },
};
