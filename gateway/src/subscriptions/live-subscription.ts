import { GraphQLError, type ExecutionResult } from 'graphql';
import type { WebSocket } from 'ws';
import type { Context as ConnectionContext } from 'graphql-ws';
import type { AuthUser, Logger, PlaybackEvent } from '@ott/kit';
import type { LiveQuery } from './live-query';

/** One signed-in graphql-ws connection. */
export interface Connection {
  socket: WebSocket;
  user: AuthUser;
  authorization: string;
  expiry: NodeJS.Timeout;
  subscriptions: Set<LiveSubscription>;
  protocol: ConnectionContext;
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

/** One subscriber: its queue of results, consumed by graphql-ws as an async generator. */
export class LiveSubscription {
  private readonly queue: ExecutionResult[] = [];
  private wake: (() => void) | undefined;
  private finished = false;

  constructor(
    readonly connection: Connection,
    readonly live: LiveQuery,
    private readonly bufferedEvents: number,
    private readonly onSlow: () => void,
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
    this.wake?.();
  }

  /** Ends the subscription: what is queued is still delivered, then graphql-ws sends `complete`. */
  finish(): void {
    this.finished = true;
    this.wake?.();
  }

  async *results(onEnd: () => Promise<void>): AsyncGenerator<ExecutionResult> {
    try {
      for (;;) {
        const next = this.queue.shift();
        if (next) {
          yield next;
          continue;
        }
        if (this.finished) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
      }
    } finally {
      this.finished = true;
      await onEnd();
    }
  }
}

