import type { Context } from '../context';

export const sessionReference = {
  PlaybackSession: {
    // The owner rule sits on every field, so a reference grants no more than playbackSession(id).
    __resolveReference: (reference: { id: string }, ctx: Context) => ctx.loaders.sessionById.load(reference.id),
  },
};
