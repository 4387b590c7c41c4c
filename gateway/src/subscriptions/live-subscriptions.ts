import { randomUUID } from 'node:crypto';
import type { ApolloServer } from '@apollo/server';
import { GraphQLError, getOperationAST, type DocumentNode, type ExecutionResult, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { PlaybackChannels, PlaybackEvent } from '@ott/events';
import { variablesDepthError, type ChannelFeed, type Logger, type TokenConfig } from '@ott/kit';
import type { GatewayContext } from '../context';
import type { RequestBudget } from '../request-budget';
import type { OperationChecks } from '../operation-checks';
import { liveQueryOf, type LiveQuery } from './live-query';
import { ConnectionRegistry } from './connection-registry';
import { LiveSubscription, type Connection, type SubscriptionProtocol } from './live-subscription';
import { SharedExecutions } from './shared-executions';

export interface SubscriptionLimits {
  subscriptionsPerConnection: number;
  /** Open subscription connections of one member on this instance: graphql-ws sockets and HTTP streams together. */
  connectionsPerMember: number;
  /** Events queued for one subscriber before its connection is dropped as too slow. */
  bufferedEvents: number;
  keepAliveMs: number;
}

export interface LiveSubscriptionsOptions {
  apollo: ApolloServer<GatewayContext>;
  /** The API schema, Subscription included (SubscribingGateway.apiSchema). */
  schema: () => GraphQLSchema;
  /** Each update's run through the graph gets as long as an HTTP request. */
  requestTimeoutMs: number;
  feed: ChannelFeed<PlaybackEvent, PlaybackChannels>;
  tokens: TokenConfig;
  logger: Logger;
  limits: SubscriptionLimits;
  /** Validation, limits and cost, as every HTTP operation's (and with the same cache of estimates). */
  checks: OperationChecks;
  /** The request budget HTTP requests spend: every subscribe spends it too. */
  budget: RequestBudget;
  /** Counts each result sent to a subscriber (gateway_subscription_pushes_total). */
  pushed?: (protocol: SubscriptionProtocol) => void;
  /** Refuses a subscription document the trusted documents do not allow (queries pass Apollo Server's plugin). */
  untrusted?: (query: string) => GraphQLError | undefined;
}

/** What a client sends to subscribe, over any protocol. */
export interface OperationPayload {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

/** Refused before anything runs: the protocol's own error (graphql-ws `error`, an HTTP error body). */
export type Refusal = { refused: readonly GraphQLError[] };
/** A subscription, or (`result`) the one answer of a query or mutation sent the same way. */
export type Prepared = Refusal | { subscription: LiveSubscription; document: DocumentNode } | { result: ExecutionResult; document: DocumentNode };

const ACCESS_CHECK = 'query ($id: ID!) { playbackSession(id: $id) { id } }';
const TRY_AGAIN_LATER = 1013;

const toGraphQLErrors = (errors: readonly GraphQLFormattedError[]) =>
  errors.map((e) => new GraphQLError(e.message, { path: e.path, extensions: e.extensions }));
export const refusal = (code: string, message: string): Refusal => ({ refused: [new GraphQLError(message, { extensions: { code } })] });

/** A refusal as the client sees it over HTTP, less what only the request's own HTTP answer carries (status, headers). */
const withoutHttp = (error: unknown): Refusal => {
  if (!(error instanceof GraphQLError)) throw error;
  return { refused: [new GraphQLError(error.message, { extensions: { ...error.extensions, http: undefined } })] };
};

/**
 * What every subscription protocol shares: the open connections (ConnectionRegistry: the
 * signed-in member, revocation, the per-member cap), the request budget, validation, limits
 * and cost as over HTTP (OperationChecks), the per-connection subscription cap, the access
 * check, and one execution per event shared by identical subscriptions (SharedExecutions),
 * fed from streaming's Redis channels.
 */
export class LiveSubscriptions {
  /** The open connections, by member and token. */
  readonly connections: ConnectionRegistry;
  private readonly shared: SharedExecutions;

  constructor(private readonly options: LiveSubscriptionsOptions) {
    this.connections = new ConnectionRegistry({ tokens: options.tokens, logger: options.logger, connectionsPerMember: options.limits.connectionsPerMember });
    this.shared = new SharedExecutions(options.feed, this.runLive, options.logger);
  }

  get executions(): number {
    return this.shared.size;
  }

  /** The API schema, Subscription included. */
  schema(): GraphQLSchema {
    return this.options.schema();
  }

  /** Ends a connection: its subscriptions end and its place is freed. */
  async closeConnection(connection: Connection): Promise<void> {
    clearTimeout(connection.expiry);
    connection.closed.abort();
    await Promise.all([...connection.subscriptions].map((subscription) => subscription.end()));
    this.connections.release(connection);
  }

  /** A client's operation, or (`update`) an update the gateway runs for a subscription, shared by its subscribers. */
  private contextFor(connection: Connection, update: boolean): GatewayContext {
    const requestId = randomUUID();
    const { logger, requestTimeoutMs } = this.options;
    const context: GatewayContext = {
      requestId,
      user: connection.user,
      logger: logger.child({ requestId }),
      authorization: connection.authorization,
      deadline: Date.now() + requestTimeoutMs,
    };
    if (update) return { ...context, subscriptionUpdate: true };
    return { ...context, clientIp: connection.clientIp, signal: connection.closed.signal };
  }

  /** Runs an operation through Apollo Server (plugins, limits, the cost check, the response cache, the client's concurrency). */
  async execute(payload: OperationPayload, connection: Connection, update = false): Promise<ExecutionResult> {
    const { query, variables, operationName } = payload;
    const response = await this.options.apollo.executeOperation(
      { query, variables: variables ?? {}, operationName: operationName ?? undefined },
      { contextValue: this.contextFor(connection, update) },
    );
    if (response.body.kind !== 'single') return { errors: refusal('BAD_REQUEST', 'Incremental delivery is not supported over subscriptions.').refused.slice() };
    const { data, errors } = response.body.singleResult;
    return { data: data as ExecutionResult['data'], ...(errors ? { errors: toGraphQLErrors(errors) } : {}) };
  }

  private readonly runLive = (live: LiveQuery, sessionId: string, connection: Connection): Promise<ExecutionResult> =>
    this.execute(
      { query: live.query, variables: { ...live.variables, [live.sessionVariable]: sessionId }, operationName: live.operationName },
      connection,
      true,
    );

  /**
   * A client's operation on a subscription connection: a subscription (validated, limited,
   * costed, capped per connection, checked for access, then joined to its shared execution),
   * or a query or mutation run as any HTTP request; refused as a whole otherwise.
   */
  async prepare(connection: Connection, payload: OperationPayload): Promise<Prepared> {
    const { limits, logger, checks } = this.options;
    try {
      await this.options.budget(connection.user, connection.clientIp);
    } catch (error) {
      return withoutHttp(error);
    }
    const schema = this.options.schema();
    let document: DocumentNode;
    try {
      document = checks.parse(schema, payload.query);
    } catch (error) {
      return refusal('GRAPHQL_PARSE_FAILED', (error as Error).message);
    }
    const variables = payload.variables ?? {};
    const operationName = payload.operationName ?? undefined;
    const tooDeep = variablesDepthError(variables);
    if (tooDeep) return { refused: [tooDeep] };
    if (getOperationAST(document, operationName)?.operation !== 'subscription') {
      // A refused document (no data) is refused as a whole; anything else is its one answer.
      const result = await this.execute({ query: payload.query, variables, operationName }, connection);
      if (result.data === undefined && result.errors) return { refused: [...result.errors] };
      return { result, document };
    }
    const untrusted = this.options.untrusted?.(payload.query);
    if (untrusted) return { refused: [new GraphQLError(untrusted.message, { extensions: { ...untrusted.extensions, http: undefined } })] };
    const invalid = checks.validate(schema, document);
    if (invalid.length > 0) {
      return {
        refused: invalid.map(
          (e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', ...e.extensions, http: undefined } }),
        ),
      };
    }
    try {
      checks.cost(schema, document, variables, operationName);
    } catch (error) {
      return { refused: [error as GraphQLError] };
    }
    if (connection.subscriptions.size >= limits.subscriptionsPerConnection) {
      return refusal('RATE_LIMITED', `At most ${limits.subscriptionsPerConnection} subscriptions per connection: complete one first.`);
    }
    let live: LiveQuery;
    try {
      live = liveQueryOf(document, operationName, variables);
    } catch (error) {
      return { refused: [error as GraphQLError] };
    }
    const subscription = new LiveSubscription(
      connection,
      live,
      limits.bufferedEvents,
      () => this.connections.drop(connection, TRY_AGAIN_LATER, 'Updates arrived faster than they were read: reconnect and subscribe again.'),
      () => this.options.pushed?.(connection.protocol),
    );
    // Counted from here, so subscriptions sent together cannot all pass the limit.
    connection.subscriptions.add(subscription);
    // Listen before the access check, so nothing published meanwhile is missed.
    let leave: () => Promise<void>;
    try {
      leave = await this.shared.join(subscription);
    } catch (err) {
      connection.subscriptions.delete(subscription);
      logger.warn({ err: { message: (err as Error).message } }, 'playback events unavailable: subscription refused');
      return refusal('INTERNAL_SERVER_ERROR', 'Live updates are unavailable right now: try again shortly.');
    }
    // From here, however it ends (refused below, completed, its connection closed), it leaves once.
    subscription.results(async () => {
      connection.subscriptions.delete(subscription);
      await leave();
    });
    if (connection.closed.signal.aborted) {
      await subscription.end();
      return refusal('BAD_REQUEST', 'The connection closed.');
    }
    if (live.sessionId) {
      const check = await this.execute({ query: ACCESS_CHECK, variables: { id: live.sessionId } }, connection);
      const refused = check.errors?.length
        ? { refused: check.errors }
        : check.data?.playbackSession
          ? undefined
          : refusal('NOT_FOUND', `No playback session with id "${live.sessionId}".`);
      if (refused) {
        await subscription.end();
        return refused;
      }
    }
    return { subscription, document };
  }
}
