import type { Context } from '../context';

/** Also resolves the `{ id }` stubs users hands out for favourite genres; unknown ids are null. */
export const genreReference = {
  Genre: {
    __resolveReference: (reference: { id: string }, ctx: Context) => ctx.loaders.genreById.load(reference.id),
  },
};
