import type { ChannelContract } from '@ott/kit';

/**
 * A change to a playback session. Streaming publishes; the gateway (and streaming's own
 * Subscription fields) re-read the session through the graph, so a message carries only what
 * identifies the change, never the session's data.
 */
export interface PlaybackEvent {
  sessionId: string;
  userId: string;
  /** Grows by one with every write to the session: a reader drops versions it has passed. */
  version: number;
  /** What happened: a start, a heartbeat (position or pause), or the end (with its reason). */
  kind: 'STARTED' | 'UPDATED' | 'ENDED';
}

const KINDS: ReadonlySet<unknown> = new Set<PlaybackEvent['kind']>(['STARTED', 'UPDATED', 'ENDED']);

/** The pub/sub channels under the deployment's key prefix (channels are not keys: no client prefix applies). */
export function playbackChannels(keyPrefix: string) {
  return {
    session: (sessionId: string) => `${keyPrefix}playback:session:${sessionId}`,
    user: (userId: string) => `${keyPrefix}playback:user:${userId}`,
  };
}
export type PlaybackChannels = ReturnType<typeof playbackChannels>;

/** streaming → the gateway and streaming, on the session's channel and on its member's. The message is JSON. */
export const playbackEvents: ChannelContract<PlaybackEvent> = {
  name: 'playback',
  encode: ({ sessionId, userId, version, kind }) => JSON.stringify({ sessionId, userId, version, kind }),
  decode(message) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return { problem: 'not JSON' };
    }
    const event = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
    const { sessionId, userId, version, kind } = event;
    if (typeof sessionId !== 'string' || sessionId.length === 0) return { problem: 'sessionId is missing' };
    if (typeof userId !== 'string' || userId.length === 0) return { problem: 'userId is missing' };
    if (typeof version !== 'number' || !Number.isSafeInteger(version)) return { problem: 'version is not a whole number' };
    if (!KINDS.has(kind)) return { problem: 'kind is not STARTED, UPDATED or ENDED' };
    return { event: { sessionId, userId, version, kind: kind as PlaybackEvent['kind'] } };
  },
};
