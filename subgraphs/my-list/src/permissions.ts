import { rule } from 'graphql-shield';
import { forbidden, isPublic, isSignedIn, unauthenticated, type RequestContext } from '@ott/kit';

/** A user's list is theirs alone: not another member's, not even an ADMIN's. */
const isSelf = rule('isSelf', { cache: 'no_cache' })((parent: { id: string }, _args, ctx: RequestContext) => {
  if (!ctx.user) return unauthenticated();
  return parent.id === ctx.user.id ? true : forbidden('A list is visible to its owner only.');
});

export const permissions = {
  Query: {
    me: isPublic,
  },
  Mutation: {
    addToMyList: isSignedIn,
    removeFromMyList: isSignedIn,
  },
  User: {
    id: isPublic,
    myList: isSelf,
    myListStats: isSelf,
  },
  Content: {
    id: isPublic,
    // Answers for the caller only (false when signed out), so it reveals nothing of others.
    inMyList: isPublic,
  },
  MyListItem: isPublic,
  MyListConnection: isPublic,
  MyListEdge: isPublic,
  MyListStats: isPublic,
  PageInfo: isPublic,
};
