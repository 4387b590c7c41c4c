import type { Logger } from './logger';
import { parsePlaybackEvent, playbackChannels, type PlaybackEvent } from './playback-events';
import type { RedisClient } from './redis';
import { onShardedMessage, subscribeSharded, unsubscribeSharded } from './sharded-pubsub';

type Listener = (event: PlaybackEvent) => void;

/**
 * One Redis subscription connection for playback events (the gateway's, and streaming's for
 * its own Subscription fields). Channels are subscribed while at least one local subscriber
 * listens and dropped with the last, so any instance serves any subscriber and receives only
 * what its own subscribers need.
 */
export class PlaybackFeed {
  private readonly listeners = new Map<string, { listeners: Set<Listener>; subscribed: Promise<unknown> }>();
  readonly channels: ReturnType<typeof playbackChannels>;

  constructor(
    /** A client of its own (subscriber mode), without a key prefix; on a cluster, opened with `shardedPubSub`. */
    private readonly redis: RedisClient,
    keyPrefix: string,
    private readonly logger: Logger,
  ) {
    this.channels = playbackChannels(keyPrefix);
    onShardedMessage(redis, (channel, message) => this.dispatch(channel, message));
    // After a reconnect ioredis subscribes again to every channel it had (autoResubscribe).
  }

  /** Starts delivering a channel's events to `listener`; resolves once Redis confirmed the subscription. */
  async listen(channel: string, listener: Listener): Promise<() => Promise<void>> {
    let entry = this.listeners.get(channel);
    if (!entry) {
      const subscribed = subscribeSharded(this.redis, channel).catch((err: unknown) => {
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
      await unsubscribeSharded(this.redis, channel).catch((err: Error) => this.logger.warn({ err: { message: err.message }, channel }, 'could not unsubscribe from a playback channel'));
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

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * A channel's events as an async iterator, for a Subscription field's `subscribe`. Written by
 * hand rather than as an `async function*`: a native generator waiting for an event that never
 * comes cannot be returned, so a client that unsubscribes would keep the channel forever.
 * `return()` here stops listening at once. `last` ends the stream after the event it accepts
 * (a session's end). Call `ready` before anything that must not miss an event.
 */
export class PlaybackEventStream implements AsyncIterableIterator<PlaybackEvent, undefined> {
  private readonly queue: PlaybackEvent[] = [];
  private waiting: ((result: IteratorResult<PlaybackEvent, undefined>) => void) | undefined;
  private finished = false;
  private readonly unlisten: Promise<() => Promise<void>>;

  constructor(
    feed: PlaybackFeed,
    channel: string,
    private readonly last: (event: PlaybackEvent) => boolean = () => false,
    /** Events queued for a reader that does not read: past it, the oldest are dropped (a later one re-reads the session). */
    private readonly buffered = 100,
  ) {
    this.unlisten = feed.listen(channel, (event) => this.push(event));
    this.unlisten.catch(() => undefined);
  }

  /** Resolves once Redis confirmed the subscription (rejects when it could not). */
  async ready(): Promise<void> {
    await this.unlisten;
  }

  next(): Promise<IteratorResult<PlaybackEvent, undefined>> {
    const value = this.queue.shift();
    if (value) return Promise.resolve({ done: false, value });
    if (this.finished) return this.return();
    return new Promise((resolve) => (this.waiting = resolve));
  }

  async return(): Promise<IteratorResult<PlaybackEvent, undefined>> {
    this.finished = true;
    this.queue.length = 0;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.(DONE);
    await (await this.unlisten.catch(() => async () => undefined))();
    return DONE;
  }

  async throw(error?: unknown): Promise<IteratorResult<PlaybackEvent, undefined>> {
    await this.return();
    throw error instanceof Error ? error : new Error(String(error));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private push(event: PlaybackEvent): void {
    if (this.finished) return;
    if (this.last(event)) this.finished = true;
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      waiting({ done: false, value: event });
      return;
    }
    if (this.queue.length >= this.buffered) this.queue.shift();
    this.queue.push(event);
  }
}
