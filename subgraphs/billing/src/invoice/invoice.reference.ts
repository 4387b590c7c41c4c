import type { Context } from '../context';

export const invoiceReference = {
  Invoice: {
    __resolveReference: (reference: { id: string }, ctx: Context) => ctx.loaders.invoiceById.load(reference.id),
  },
};
