import { isOwnerOrAdmin, isPublic, isSignedIn } from '@ott/kit';

const ownsSession = isOwnerOrAdmin('userId');
const isThatUser = isOwnerOrAdmin('id');

/**
 * Playback is private: a session, progress and history are their member's (and ADMIN's).
 * The owner rule sits on the types and fields themselves, so `_entities` grants nothing more
 * than the root fields. Play counts and trending are public.
 */
export const permissions = {
  Query: {
    playbackSession: isSignedIn,
    trending: isPublic,
  },
  Mutation: {
    startPlayback: isSignedIn,
    updatePlayback: isSignedIn,
    stopPlayback: isSignedIn,
  },
  Subscription: {
    playbackSessionUpdated: isSignedIn,
    myPlaybackSessions: isSignedIn,
  },
  PlaybackSession: ownsSession,
  User: {
    id: isPublic,
    continueWatching: isThatUser,
    watchHistory: isThatUser,
    activeSessions: isThatUser,
  },
  Content: { id: isPublic, playCount: isPublic },
  Episode: isPublic,
  // Reached only through the guarded User fields.
  WatchProgress: isSignedIn,
  WatchProgressConnection: isSignedIn,
  WatchProgressEdge: isSignedIn,
  PageInfo: isSignedIn,
};
