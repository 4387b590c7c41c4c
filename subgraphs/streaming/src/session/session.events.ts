import { playbackChannels, playbackEvents, type PlaybackChannels, type PlaybackEvent } from '@ott/events';
import { isCluster, publishSharded, type Logger, type RedisClient } from '@ott/kit';

/**
 * Announces every playback change on the session's channel and on its member's channel, after
 * the change was written. Pub/sub keeps nothing: a subscriber that is not listening misses
 * the message, and a failure to publish is logged, never failing the playback itself.
 */
export class PlaybackEvents {
  private readonly channels: PlaybackChannels;
  private lastFailureLog = 0;
  failures = 0;

  constructor(
    /** A client without a key prefix (channel names carry the deployment's prefix themselves). */
    private readonly redis: RedisClient,
    keyPrefix: string,
    private readonly logger: Logger,
  ) {
    this.channels = playbackChannels(keyPrefix);
  }

  async publish(session: { id: string; userId: string; version: number }, kind: PlaybackEvent['kind']): Promise<void> {
    const message = playbackEvents.encode({ sessionId: session.id, userId: session.userId, version: session.version, kind });
    try {
      const channels = [this.channels.session(session.id), this.channels.user(session.userId)];
      // One round trip on one Redis; on a cluster the two channels live on different shards.
      if (isCluster(this.redis)) await Promise.all(channels.map((channel) => publishSharded(this.redis, channel, message)));
      else await this.redis.pipeline().publish(channels[0]!, message).publish(channels[1]!, message).exec();
    } catch (err) {
      this.failures += 1;
      const now = Date.now();
      if (now - this.lastFailureLog > 30_000) {
        this.lastFailureLog = now;
        this.logger.warn({ err: { message: (err as Error).message }, failures: this.failures }, 'playback change not announced: live subscribers miss it');
      }
    }
  }
}
