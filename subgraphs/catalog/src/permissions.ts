import { isAdmin, isPublic } from '@ott/kit';

/** The catalogue is public; only administrators change it. */
export const permissions = {
  Query: {
    content: isPublic,
    browse: isPublic,
    search: isPublic,
    genres: isPublic,
    featured: isPublic,
  },
  Mutation: {
    createMovie: isAdmin,
    createTvShow: isAdmin,
    addEpisode: isAdmin,
    setFeatured: isAdmin,
    deleteContent: isAdmin,
  },
  Content: isPublic,
  Movie: isPublic,
  TvShow: isPublic,
  Season: isPublic,
  Episode: isPublic,
  Genre: isPublic,
  ContentConnection: isPublic,
  ContentEdge: isPublic,
  PageInfo: isPublic,
};
