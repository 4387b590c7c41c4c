import type { ExecutionResult } from 'graphql';
import type { PlaybackChannels, PlaybackEvent } from '@ott/events';
import type { ChannelFeed, Logger } from '@ott/kit';
import type { LiveQuery } from './live-query';
import { SharedExecution, type Connection, type LiveSubscription } from './live-subscription';

/** Runs a subscription's query for one session, as one of its subscribers. */
export type RunLive = (live: LiveQuery, sessionId: string, connection: Connection) => Promise<ExecutionResult>;

/**
 * The executions the active subscriptions of this instance share: one per member, role,
 * channel and selection (SharedExecution), listening on its playback channel while one of
 * its subscribers is left.
 */
export class SharedExecutions {
  private readonly shared = new Map<string, SharedExecution>();

  constructor(
    private readonly feed: ChannelFeed<PlaybackEvent, PlaybackChannels>,
    private readonly run: RunLive,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.shared.size;
  }

  /** Adds the subscription to its shared execution (listening first if it is the first); resolves with how it leaves. */
  async join(subscription: LiveSubscription): Promise<() => Promise<void>> {
    const { connection, live } = subscription;
    const channel = live.sessionId ? this.feed.channels.session(live.sessionId) : this.feed.channels.user(connection.user.id);
    const key = `${connection.user.id}:${connection.user.role}:${channel}:${live.fingerprint}`;
    let execution = this.shared.get(key);
    if (!execution) {
      const created = new SharedExecution(key, live, this.run, this.logger);
      this.shared.set(key, created);
      created.unlisten = await this.feed
        .listen(channel, (event) => created.onEvent(event))
        .catch((err: unknown) => {
          this.shared.delete(key);
          throw err;
        });
      execution = created;
    }
    execution.subscribers.add(subscription);
    return async () => {
      execution.subscribers.delete(subscription);
      if (execution.subscribers.size > 0 || this.shared.get(key) !== execution) return;
      this.shared.delete(key);
      await execution.unlisten?.();
    };
  }
}
