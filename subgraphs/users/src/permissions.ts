import { isAdmin, isOwnerOrAdmin, isPublic, isSignedIn } from '@ott/kit';

export const permissions = {
  Query: {
    me: isPublic,
    user: isAdmin,
  },
  Mutation: {
    register: isPublic,
    login: isPublic,
    refreshToken: isPublic,
    logout: isPublic,
    updateProfile: isSignedIn,
  },
  User: {
    id: isPublic,
    displayName: isPublic,
    role: isPublic,
    favoriteGenres: isPublic,
    createdAt: isPublic,
    email: isOwnerOrAdmin('id'),
  },
  Genre: isPublic,
  AuthPayload: isPublic,
};
