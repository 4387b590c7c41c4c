import type { Context } from '../context';
import type { ContentRef } from '../content/content.stub';
import type { UserRef } from '../user/user.stub';

export const ratingsReferences = {
  Rating: {
    __resolveReference: (reference: { id: string }, ctx: Context) => ctx.loaders.ratingById.load(reference.id),
  },
  // Keys are all these two need: their fields load through the request's loaders.
  Content: {
    __resolveReference: (reference: ContentRef): ContentRef => ({ id: reference.id }),
  },
  User: {
    __resolveReference: (reference: UserRef): UserRef => ({ id: reference.id }),
  },
};
