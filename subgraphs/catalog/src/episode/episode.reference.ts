import type { Context } from '../context';

export const episodeReference = {
  Episode: {
    __resolveReference: (reference: { id: string }, ctx: Context) => ctx.loaders.episodeById.load(reference.id),
  },
};
