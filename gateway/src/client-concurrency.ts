import type { GraphQLError } from 'graphql';
import { addressBucket, rateLimited } from '@ott/kit';
import type { GatewayContext } from './context';

export interface ClientConcurrencySettings {
  /** GATEWAY_CONCURRENT_OPERATIONS_PER_CLIENT: operations of one client running at once. */
  operations: number;
  /**
   * GATEWAY_CONCURRENT_COST_PER_CLIENT: what those operations may cost together (limits.ts's
   * estimate). An operation within MAX_QUERY_COST always runs when it is its client's only one.
   */
  cost: number;
}

/** Takes a client's slot for one operation: a release to call once it is answered, or the refusal. */
export type Admission = (context: GatewayContext) => (() => void) | GraphQLError;

/** How long a refused client is told to wait: its operations in flight take well under a second each. */
const RETRY_AFTER_SECONDS = 1;

interface Held {
  operations: number;
  cost: number;
}

/**
 * Operations of one client (a signed-in member by id, anyone else by address, as the request
 * budget counts them) running at once at this gateway, over HTTP and WebSocket alike: one
 * client cannot occupy all the gateway's work (the subgraph calls it plans) however many
 * connections it opens. Counted in this process, since an operation runs in one: a client's
 * share is per gateway instance. Subscription updates, which the gateway runs itself, are not
 * counted.
 */
export class ClientConcurrency {
  private readonly held = new Map<string, Held>();

  constructor(
    private readonly settings: ClientConcurrencySettings,
    /** An operation's estimated cost (OperationChecks.costOf), once its operation is resolved. */
    private readonly costOf: (context: GatewayContext) => number | undefined,
  ) {}

  readonly admit: Admission = (context) => {
    if (context.subscriptionUpdate) return () => undefined;
    const key = context.user ? `member:${context.user.id}` : `address:${addressBucket(context.clientIp ?? 'unknown')}`;
    const cost = this.costOf(context) ?? 0;
    const held = this.held.get(key) ?? { operations: 0, cost: 0 };
    const full = held.operations >= this.settings.operations || (held.operations > 0 && held.cost + cost > this.settings.cost);
    if (full) {
      return rateLimited(
        `Too many of your operations are running at once (at most ${this.settings.operations}, costing ${this.settings.cost} together): wait for their answers`,
        RETRY_AFTER_SECONDS,
      );
    }
    held.operations += 1;
    held.cost += cost;
    this.held.set(key, held);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      held.operations -= 1;
      held.cost -= cost;
      if (held.operations === 0) this.held.delete(key);
    };
  };

  /** Clients with operations running (for tests). */
  get clients(): number {
    return this.held.size;
  }
}
