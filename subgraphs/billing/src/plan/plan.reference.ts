import type { Context } from '../context';

export const planReference = {
  Plan: {
    __resolveReference: (reference: { id: string }, ctx: Context) => ctx.plans.find(reference.id) ?? null,
  },
};
