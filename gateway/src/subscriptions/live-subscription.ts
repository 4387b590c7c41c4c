import { GraphQLError, type ExecutionResult } from 'graphql';
import type { PlaybackEvent } from '@ott/events';
import type { AuthUser, Logger } from '@ott/kit';
import type { LiveQuery } from './live-query';

/** How a subscriber is served: graphql-ws, Apollo's multipart HTTP protocol, or SSE (graphql-sse's distinct connections). */
export type SubscriptionProtocol = 'graphql-ws' | 'multipart' | 'sse';

/** One signed-in subscriber's connection: a graphql-ws socket, or one HTTP response streaming one subscription. */
export interface Connection {
  protocol: SubscriptionProtocol;
  user: AuthUser;
  authorization: string;
  /** The client's address, as TRUST_PROXY reads the (upgrade) request. */
  clientIp: string;
  /** Aborted when the connection closes: its operations are abandoned. */
  closed: AbortController;
  expiry?: NodeJS.Timeout;
  subscriptions: Set<LiveSubscription>;
  /** Ends the connection from the gateway's side (a slow reader, an expired token, a shutdown). */
  drop(code: number, reason: string): void;
}

/** Answered when running an update failed: the subscriber learns of it, nothing internal leaks. */
const FAILED: ExecutionResult = {
  errors: [new GraphQLError('Something went wrong on our side while reading this update.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })],
};

/**
 * Runs a subscription's query for every subscriber that shares it (same member, selection and
 * variables): once per event, in event order. The query reads the session as it is when it
 * runs, so announcements that arrive faster than they can be answered are coalesced into
 * the latest (one run per session per round), and an answer identical to the last one
 * delivered for that session is not sent again (an earlier run may already have read the end;
 * the end's own announcement then only completes what follows one session).
 */
export class SharedExecution {
  readonly subscribers = new Set<LiveSubscription>();
  /** The newest announced version per session: older or repeated announcements are dropped. */
  private readonly seen = new Map<string, number>();
  /** Per session, the newest announcement not yet run (Map order: first announced, first run). */
  private readonly pending = new Map<string, PlaybackEvent>();
  private readonly delivered = new Map<string, string>();
  private running = false;
  unlisten: (() => Promise<void>) | undefined;

  constructor(
    readonly key: string,
    private readonly live: LiveQuery,
    private readonly run: (query: LiveQuery, sessionId: string, connection: Connection) => Promise<ExecutionResult>,
    private readonly logger: Logger,
  ) {}

  onEvent(event: PlaybackEvent): void {
    if ((this.seen.get(event.sessionId) ?? 0) >= event.version) return;
    this.seen.set(event.sessionId, event.version);
    this.pending.set(event.sessionId, event);
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      for (let next = this.pending.values().next(); !next.done; next = this.pending.values().next()) {
        const event = next.value;
        this.pending.delete(event.sessionId);
        await this.answer(event);
      }
    } finally {
      this.running = false;
    }
  }

  private async answer(event: PlaybackEvent): Promise<void> {
    const [first] = this.subscribers;
    if (!first) return;
    let result: ExecutionResult;
    try {
      result = await this.run(this.live, event.sessionId, first.connection);
    } catch (err) {
      this.logger.error({ err, sessionId: event.sessionId }, 'a subscription event could not be executed');
      result = FAILED;
    }
    const body = JSON.stringify(result);
    // An earlier run may already have read the state this announcement is about (even the end).
    const repeated = this.delivered.get(event.sessionId) === body;
    if (event.kind === 'ENDED') this.delivered.delete(event.sessionId);
    else this.delivered.set(event.sessionId, body);
    for (const subscriber of this.subscribers) subscriber.push(repeated ? null : result, event);
  }
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * One subscriber: its queue of results, read by graphql-ws as an async generator. Written by
 * hand rather than as an `async function*`: a native generator waiting for the next event
 * cannot be returned (its `return()` waits until it resumes, and no event may ever come), so
 * graphql-ws would never finish closing the socket. Here `return()` ends the subscription at
 * once, wherever the reader is, and runs its clean-up exactly once, even if it never started.
 */
export class LiveSubscription implements AsyncIterableIterator<ExecutionResult, undefined> {
  private readonly queue: ExecutionResult[] = [];
  /** The reader waiting for the next result, if any. */
  private waiting: ((result: IteratorResult<ExecutionResult, undefined>) => void) | undefined;
  /** No more results will be queued: what is queued is still delivered. */
  private finished = false;
  private ended: Promise<void> | undefined;
  private cleanup: () => Promise<void> = async () => undefined;

  constructor(
    readonly connection: Connection,
    readonly live: LiveQuery,
    private readonly bufferedEvents: number,
    private readonly onSlow: () => void,
    /** Each result handed to the reader (a push to the client). */
    private readonly onPush: () => void = () => undefined,
  ) {}

  /** An answer to an announcement, or null when it would repeat the last one (the end still ends). */
  push(result: ExecutionResult | null, event: PlaybackEvent): void {
    if (this.finished) return;
    if (this.queue.length >= this.bufferedEvents) {
      this.onSlow();
      return;
    }
    if (result) this.queue.push(result);
    // One session's updates end with its end: nothing can follow it.
    if (this.live.field === 'playbackSessionUpdated' && event.kind === 'ENDED') this.finished = true;
    this.deliver();
  }

  /** Ends the subscription: what is queued is still delivered, then graphql-ws sends `complete`. */
  finish(): void {
    this.finished = true;
    this.deliver();
  }

  /** The subscription as graphql-ws reads it; `onEnd` runs once when it ends, however it ends. */
  results(onEnd: () => Promise<void>): this {
    this.cleanup = onEnd;
    return this;
  }

  next(): Promise<IteratorResult<ExecutionResult, undefined>> {
    if (this.ended) return this.ended.then(() => DONE);
    const value = this.queue.shift();
    if (value) {
      this.onPush();
      return Promise.resolve({ done: false, value });
    }
    if (this.finished) return this.end().then(() => DONE);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** The client completed the subscription, or its socket closed: ends now, whatever is queued. */
  return(): Promise<IteratorResult<ExecutionResult, undefined>> {
    return this.end().then(() => DONE);
  }

  throw(error?: unknown): Promise<IteratorResult<ExecutionResult, undefined>> {
    return this.end().then(() => Promise.reject(error instanceof Error ? error : new Error(String(error))));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Ends the subscription (once) and runs its clean-up; a reader still waiting is told it is done. */
  end(): Promise<void> {
    if (!this.ended) {
      this.finished = true;
      this.queue.length = 0;
      const waiting = this.waiting;
      this.waiting = undefined;
      this.ended = this.cleanup();
      waiting?.(DONE);
    }
    return this.ended;
  }

  private deliver(): void {
    const waiting = this.waiting;
    if (!waiting) return;
    const value = this.queue.shift();
    if (value) {
      this.waiting = undefined;
      this.onPush();
      waiting({ done: false, value });
    } else if (this.finished) {
      this.waiting = undefined;
      void this.end().then(() => waiting(DONE));
    }
  }
}
