import type { Redis } from 'ioredis';
import { parsePlaybackEvent, playbackChannels, type Logger, type PlaybackEvent } from '@ott/kit';

type Listener = (event: PlaybackEvent) => void;

/**
 * The gateway's one Redis subscription connection for playback events. Channels are
 * subscribed while at least one local subscriber listens and dropped with the last, so any
 * gateway instance serves any subscriber and receives only what its own subscribers need.
 */
export class PlaybackFeed {
  private readonly listeners = new Map<string, { listeners: Set<Listener>; subscribed: Promise<unknown> }>();
  readonly channels: ReturnType<typeof playbackChannels>;

  constructor(
    /** A client of its own (subscriber mode), without a key prefix. */
    private readonly redis: Redis,
    keyPrefix: string,
    private readonly logger: Logger,
  ) {
    this.channels = playbackChannels(keyPrefix);
    redis.on('message', (channel: string, message: string) => this.dispatch(channel, message));
    // After a reconnect ioredis subscribes again to every channel it had (autoResubscribe).
  }

  /** Starts delivering a channel's events to `listener`; resolves once Redis confirmed the subscription. */
  async listen(channel: string, listener: Listener): Promise<() => Promise<void>> {
    let entry = this.listeners.get(channel);
    if (!entry) {
      const subscribed = this.redis.subscribe(channel).catch((err: unknown) => {
        this.listeners.delete(channel);
        throw err;
      });
      entry = { listeners: new Set(), subscribed };
      this.listeners.set(channel, entry);
    }
    entry.listeners.add(listener);
    await entry.subscribed;
    return async () => {
      const current = this.listeners.get(channel);
      if (!current?.listeners.delete(listener) || current.listeners.size > 0) return;
      this.listeners.delete(channel);
      await this.redis.unsubscribe(channel).catch((err: Error) => this.logger.warn({ err: { message: err.message }, channel }, 'could not unsubscribe from a playback channel'));
    };
  }

  /** How many channels this instance listens to (for tests and metrics). */
  get channelCount(): number {
    return this.listeners.size;
  }

  private dispatch(channel: string, message: string): void {
    const listeners = this.listeners.get(channel)?.listeners;
    if (!listeners) return;
    const event = parsePlaybackEvent(message);
    if (!event) {
      this.logger.warn({ channel }, 'ignored a playback message that is not an event');
      return;
    }
    for (const listener of listeners) listener(event);
  }
}
