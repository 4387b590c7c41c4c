import type { Context } from '../context';

export const userReference = {
  User: {
    __resolveReference: (reference: { id: string }, ctx: Context) => ctx.loaders.userById.load(reference.id),
  },
};
