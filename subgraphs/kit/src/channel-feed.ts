import { decodeOrWarn, type ChannelContract } from './event-contract';
import type { Logger } from './logger';
import type { RedisClient } from './redis';
import { onShardedMessage, subscribeSharded, unsubscribeSharded } from './sharded-pubsub';

type Listener<T> = (event: T) => void;

/**
 * One Redis subscription connection for one contract's events on many channels (the gateway's
 * playback events, and streaming's for its own Subscription fields). Channels are subscribed
 * while at least one local subscriber listens and dropped with the last, so any instance serves
 * any subscriber and receives only what its own subscribers need. `channels` names them (the
 * contract's owner says how).
 */
export class ChannelFeed<T, Channels> {
  private readonly listeners = new Map<string, { listeners: Set<Listener<T>>; subscribed: Promise<unknown> }>();

  constructor(
    /** A client of its own (subscriber mode), without a key prefix; on a cluster, opened with `shardedPubSub`. */
    private readonly redis: RedisClient,
    private readonly contract: ChannelContract<T>,
    readonly channels: Channels,
    private readonly logger: Logger,
  ) {
    onShardedMessage(redis, (channel, message) => this.dispatch(channel, message));
    // After a reconnect ioredis subscribes again to every channel it had (autoResubscribe).
  }

  /** Starts delivering a channel's events to `listener`; resolves once Redis confirmed the subscription. */
  async listen(channel: string, listener: Listener<T>): Promise<() => Promise<void>> {
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
      await unsubscribeSharded(this.redis, channel).catch((err: Error) =>
        this.logger.warn({ err: { message: err.message }, channel }, 'could not unsubscribe from a channel'),
      );
    };
  }

  /** How many channels this instance listens to (for tests and metrics). */
  get channelCount(): number {
    return this.listeners.size;
  }

  private dispatch(channel: string, message: string): void {
    const listeners = this.listeners.get(channel)?.listeners;
    if (!listeners) return;
    const event = decodeOrWarn(this.contract, message, this.logger, { channel });
    if (event === undefined) return;
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
export class ChannelEventStream<T> implements AsyncIterableIterator<T, undefined> {
  private readonly queue: T[] = [];
  private waiting: ((result: IteratorResult<T, undefined>) => void) | undefined;
  private finished = false;
  private readonly unlisten: Promise<() => Promise<void>>;

  constructor(
    feed: ChannelFeed<T, unknown>,
    channel: string,
    private readonly last: (event: T) => boolean = () => false,
    /** Events queued for a reader that does not read: past it, the oldest are dropped (subscribers re-read state, so a later event stands for them). */
    private readonly buffered = 100,
  ) {
    this.unlisten = feed.listen(channel, (event) => this.push(event));
    this.unlisten.catch(() => undefined);
  }

  /** Resolves once Redis confirmed the subscription (rejects when it could not). */
  async ready(): Promise<void> {
    await this.unlisten;
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.queue.length > 0) return Promise.resolve({ done: false, value: this.queue.shift()! });
    if (this.finished) return this.return();
    return new Promise((resolve) => (this.waiting = resolve));
  }

  async return(): Promise<IteratorResult<T, undefined>> {
    this.finished = true;
    this.queue.length = 0;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.(DONE);
    await (
      await this.unlisten.catch(() => async () => undefined)
    )();
    return DONE;
  }

  async throw(error?: unknown): Promise<IteratorResult<T, undefined>> {
    await this.return();
    throw error instanceof Error ? error : new Error(String(error));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private push(event: T): void {
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
