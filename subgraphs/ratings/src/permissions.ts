import { isPublic, isSignedIn } from '@ott/kit';

/**
 * Ratings and reviews are public, like on any streaming service: anyone may read a title's
 * totals, a rating, or a member's list of ratings. Authors appear as User references whose
 * email users itself guards. Writing needs a signed-in member and only touches their own rating.
 */
export const permissions = {
  Mutation: {
    rateContent: isSignedIn,
    deleteRating: isSignedIn,
  },
  Rating: isPublic,
  RatingConnection: isPublic,
  RatingEdge: isPublic,
  PageInfo: isPublic,
  // myRating answers null when signed out rather than failing a whole page of titles.
  Content: { id: isPublic, averageRating: isPublic, ratingsCount: isPublic, myRating: isPublic, ratings: isPublic },
  User: { id: isPublic, ratings: isPublic },
};
