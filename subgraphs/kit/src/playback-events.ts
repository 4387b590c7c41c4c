/**
 * The Redis pub/sub channels streaming announces playback changes on, and what each message
 * holds. Streaming publishes; the gateway subscribes and re-reads the session through the
 * graph, so a message carries only what identifies the change, never the session's data.
 */
export interface PlaybackEvent {
  sessionId: string;
  userId: string;
  /** Grows by one with every write to the session: a reader drops versions it has passed. */
  version: number;
  /** What happened: a start, a heartbeat (position or pause), or the end (with its reason). */
  kind: 'STARTED' | 'UPDATED' | 'ENDED';
}

/** Channel names under the deployment's key prefix (pub/sub channels are not keys: no client prefix applies). */
export function playbackChannels(keyPrefix: string) {
  return {
    session: (sessionId: string) => `${keyPrefix}playback:session:${sessionId}`,
    user: (userId: string) => `${keyPrefix}playback:user:${userId}`,
  };
}

export function parsePlaybackEvent(message: string): PlaybackEvent | null {
  try {
    const event = JSON.parse(message) as Partial<PlaybackEvent>;
    const valid =
      typeof event.sessionId === 'string' &&
      typeof event.userId === 'string' &&
      Number.isSafeInteger(event.version) &&
      (event.kind === 'STARTED' || event.kind === 'UPDATED' || event.kind === 'ENDED');
    return valid ? (event as PlaybackEvent) : null;
  } catch {
    return null;
  }
}
