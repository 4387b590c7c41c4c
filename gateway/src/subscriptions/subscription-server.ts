import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import { getOperationAST, GraphQLError, parse, specifiedRules, validate, type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { CloseCode, type Context as ConnectionContext, type SubscribePayload } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { credentialsFromAuthorization, requestClientAddress, variablesDepthError, type Logger, type TokenConfig, type TrustProxy } from '@ott/kit';
import type { GatewayContext } from '../context';
import type { RequestBudget } from '../request-budget';
import { assertCost, limitRules, type QueryLimits } from '../limits';
import { liveQueryOf, type LiveQuery } from './live-query';
import { LiveSubscription, SharedExecution, type Connection } from './live-subscription';
import type { PlaybackFeed } from './playback-feed';

export interface SubscriptionLimits {
  /** The same limits as every HTTP operation's. */
  query: QueryLimits;
  subscriptionsPerConnection: number;
  connectionsPerMember: number;
  /** Events queued for one subscriber before its socket is dropped as too slow. */
  bufferedEvents: number;
  keepAliveMs: number;
}

export interface SubscriptionServerOptions {
  httpServer: Server;
  apollo: ApolloServer<GatewayContext>;
  /** The API schema with Subscription (SubscribingGateway.apiSchema). */
  schema: () => GraphQLSchema;
  /** Each update's run through the graph gets as long as an HTTP request. */
  requestTimeoutMs: number;
  feed: PlaybackFeed;
  tokens: TokenConfig;
  logger: Logger;
  limits: SubscriptionLimits;
  /** The request budget HTTP requests spend: every subscribe message spends it too. */
  budget: RequestBudget;
  /** TRUST_PROXY: who may name the client in the upgrade request's X-Forwarded-For. */
  trustProxy: TrustProxy;
}

/** Close codes beyond the protocol's own. */
const GOING_AWAY = 1001;
const TRY_AGAIN_LATER = 1013;


const ACCESS_CHECK = 'query ($id: ID!) { playbackSession(id: $id) { id } }';

const toGraphQLErrors = (errors: readonly GraphQLFormattedError[]) =>
  errors.map((e) => new GraphQLError(e.message, { path: e.path, extensions: e.extensions }));

const refusal = (code: string, message: string) => [new GraphQLError(message, { extensions: { code } })];

/** A refusal as the client sees it over HTTP, less what only HTTP carries (status, headers). */
const overWebSocket = (error: unknown) => {
  if (!(error instanceof GraphQLError)) throw error;
  return [new GraphQLError(error.message, { extensions: { ...error.extensions, http: undefined } })];
};

/**
 * GraphQL subscriptions over graphql-ws on the gateway's own HTTP server and path. Events come
 * from streaming's Redis channels; for each, the subscriber's selection runs as a query through
 * the gateway (plugins, limits, error masking and all) with the subscriber's own credentials,
 * so a subscription may select any field of the graph.
 *
 * Queries and mutations sent over the socket are requests like any over HTTP: each spends the
 * member's request budget, runs through Apollo Server (validation, limits, the cost check, the
 * response cache, the client's concurrency), carries the client's address as TRUST_PROXY
 * reads it from the upgrade request, and is abandoned when the socket closes.
 */
export function serveSubscriptions(options: SubscriptionServerOptions) {
  const { apollo, feed, tokens, logger, limits } = options;
  const rules = limitRules(limits.query);
  const wss = new WebSocketServer({ server: options.httpServer, path: '/graphql' });
  const connections = new Map<ConnectionContext, Connection>();
  const perMember = new Map<string, number>();
  const shared = new Map<string, SharedExecution>();

  /** A client's operation, or (`update`) an update the gateway runs for a subscription, shared by its subscribers. */
  const contextFor = (connection: Connection, update: boolean): GatewayContext => {
    const requestId = randomUUID();
    const context: GatewayContext = { requestId, user: connection.user, logger: logger.child({ requestId }), authorization: connection.authorization, deadline: Date.now() + options.requestTimeoutMs };
    if (update) return { ...context, subscriptionUpdate: true };
    return { ...context, clientIp: connection.clientIp, signal: connection.closed.signal };
  };

  async function execute(query: string, variables: Record<string, unknown>, operationName: string | undefined, connection: Connection, update = false): Promise<ExecutionResult> {
    const response = await apollo.executeOperation({ query, variables, operationName }, { contextValue: contextFor(connection, update) });
    if (response.body.kind !== 'single') return { errors: refusal('BAD_REQUEST', 'Incremental delivery is not supported over subscriptions.') };
    const { data, errors } = response.body.singleResult;
    return { data: data as ExecutionResult['data'], ...(errors ? { errors: toGraphQLErrors(errors) } : {}) };
  }

  const runLive = (live: LiveQuery, sessionId: string, connection: Connection) =>
    execute(live.query, { ...live.variables, [live.sessionVariable]: sessionId }, live.operationName, connection, true);

  async function join(subscription: LiveSubscription): Promise<() => Promise<void>> {
    const { connection, live } = subscription;
    const channel = live.sessionId ? feed.channels.session(live.sessionId) : feed.channels.user(connection.user.id);
    const key = `${connection.user.id}:${connection.user.role}:${channel}:${live.fingerprint}`;
    let execution = shared.get(key);
    if (!execution) {
      const created = new SharedExecution(key, live, runLive, logger);
      shared.set(key, created);
      created.unlisten = await feed.listen(channel, (event) => created.onEvent(event)).catch((err: unknown) => {
        shared.delete(key);
        throw err;
      });
      execution = created;
    }
    execution.subscribers.add(subscription);
    return async () => {
      execution.subscribers.delete(subscription);
      if (execution.subscribers.size > 0 || shared.get(key) !== execution) return;
      shared.delete(key);
      await execution.unlisten?.();
    };
  }

  function drop(connection: Connection, code: number, reason: string): void {
    logger.info({ userId: connection.user.id, code, reason }, 'subscription socket closed by the gateway');
    connection.socket.close(code, reason);
  }

  const server = useServer<Record<string, unknown>, { socket: WebSocket; request: IncomingMessage }>(
    {
      schema: () => options.schema(),
      onConnect: async (ctx) => {
        const { socket, request } = ctx.extra;
        const params = ctx.connectionParams ?? {};
        const header = params.authorization ?? params.Authorization;
        let credentials;
        try {
          credentials = typeof header === 'string' ? credentialsFromAuthorization(header, tokens) : null;
        } catch (error) {
          socket.close(CloseCode.Unauthorized, (error as Error).message.slice(0, 120));
          return false;
        }
        if (!credentials) {
          socket.close(CloseCode.Unauthorized, 'Send { "authorization": "Bearer <access token>" } in connection_init.');
          return false;
        }
        // Revoked since it was issued (logout, role change): refused as an invalid token.
        const revoked = await tokens.stamps?.check(credentials);
        if (revoked) {
          socket.close(CloseCode.Unauthorized, revoked.message.slice(0, 120));
          return false;
        }
        const { user, expiresAt } = credentials;
        const open = perMember.get(user.id) ?? 0;
        if (open >= limits.connectionsPerMember) {
          socket.close(CloseCode.Forbidden, `At most ${limits.connectionsPerMember} subscription connections per member: close one first.`);
          return false;
        }
        perMember.set(user.id, open + 1);
        const connection: Connection = {
          socket,
          user,
          authorization: header as string,
          clientIp: requestClientAddress(request, options.trustProxy),
          closed: new AbortController(),
          subscriptions: new Set(),
          protocol: ctx,
          expiry: setTimeout(() => drop(connection, CloseCode.Unauthorized, 'The access token expired: reconnect with a fresh one.'), Math.max(0, expiresAt.getTime() - Date.now())),
        };
        connection.expiry.unref();
        socket.once('close', () => connection.closed.abort());
        connections.set(ctx, connection);
        return true;
      },
      onSubscribe: async (ctx, _id, payload: SubscribePayload) => {
        const connection = connections.get(ctx);
        if (!connection) return refusal('UNAUTHENTICATED', 'Sign in first.');
        try {
          await options.budget(connection.user, connection.clientIp);
        } catch (error) {
          return overWebSocket(error);
        }
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens: limits.query.maxTokens });
        } catch (error) {
          return refusal('GRAPHQL_PARSE_FAILED', (error as Error).message);
        }
        const schema = options.schema();
        const variables = payload.variables ?? {};
        const operationName = payload.operationName ?? undefined;
        const tooDeep = variablesDepthError(variables);
        if (tooDeep) return [tooDeep];
        if (getOperationAST(document, operationName)?.operation !== 'subscription') {
          // Validated, limited and costed as over HTTP, by the same Apollo Server; a refused
          // document (no data) is the protocol's `error`, anything else its one `next`.
          const result = await execute(payload.query, variables, operationName, connection);
          if (result.data === undefined && result.errors) return [...result.errors];
          return { schema, document, operationName, variableValues: variables, contextValue: { result } };
        }
        const invalid = validate(schema, document, [...specifiedRules, ...rules]);
        if (invalid.length > 0) {
          return invalid.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', ...e.extensions, http: undefined } }));
        }
        try {
          assertCost(schema, document, variables, operationName, limits.query.maxCost);
        } catch (error) {
          return [error as GraphQLError];
        }
        if (connection.subscriptions.size >= limits.subscriptionsPerConnection) {
          return refusal('RATE_LIMITED', `At most ${limits.subscriptionsPerConnection} subscriptions per connection: complete one first.`);
        }
        let live: LiveQuery;
        try {
          live = liveQueryOf(document, payload.operationName, variables);
        } catch (error) {
          return [error as GraphQLError];
        }
        const subscription = new LiveSubscription(connection, live, limits.bufferedEvents, () =>
          drop(connection, TRY_AGAIN_LATER, 'Updates arrived faster than they were read: reconnect and subscribe again.'),
        );
        // Counted from here, so subscriptions sent together cannot all pass the limit.
        connection.subscriptions.add(subscription);
        // Listen before the access check, so nothing published meanwhile is missed.
        let leave: () => Promise<void>;
        try {
          leave = await join(subscription);
        } catch (err) {
          connection.subscriptions.delete(subscription);
          logger.warn({ err: { message: (err as Error).message } }, 'playback events unavailable: subscription refused');
          return refusal('INTERNAL_SERVER_ERROR', 'Live updates are unavailable right now: try again shortly.');
        }
        // From here, however it ends (refused below, completed, its socket closed), it leaves once.
        subscription.results(async () => {
          connection.subscriptions.delete(subscription);
          await leave();
        });
        if (connection.closed.signal.aborted) {
          await subscription.end();
          return refusal('BAD_REQUEST', 'The connection closed.');
        }
        if (live.sessionId) {
          const check = await execute(ACCESS_CHECK, { id: live.sessionId }, undefined, connection);
          const refused = check.errors?.length ? check.errors : check.data?.playbackSession ? undefined : refusal('NOT_FOUND', `No playback session with id "${live.sessionId}".`);
          if (refused) {
            await subscription.end();
            return [...refused];
          }
        }
        return { schema, document, operationName, variableValues: variables, contextValue: { subscription } };
      },
      subscribe: (args: ExecutionArgs) => (args.contextValue as { subscription: LiveSubscription }).subscription,
      execute: (args: ExecutionArgs) => (args.contextValue as { result: ExecutionResult }).result,
      onClose: async (ctx) => {
        const connection = connections.get(ctx);
        if (!connection) return;
        connections.delete(ctx);
        clearTimeout(connection.expiry);
        connection.closed.abort();
        // graphql-ws has returned those it was given; these were still being set up.
        await Promise.all([...connection.subscriptions].map((subscription) => subscription.end()));
        const open = (perMember.get(connection.user.id) ?? 1) - 1;
        if (open > 0) perMember.set(connection.user.id, open);
        else perMember.delete(connection.user.id);
      },
    },
    wss,
    limits.keepAliveMs,
  );

  return {
    /** Subscriptions open on this instance, and the executions they share. */
    stats: () => ({ connections: connections.size, subscriptions: [...connections.values()].reduce((n, c) => n + c.subscriptions.size, 0), executions: shared.size }),
    /** Completes every open subscription (each client gets `complete`), then closes every socket with 1001. */
    async close(): Promise<void> {
      for (const connection of connections.values()) for (const subscription of connection.subscriptions) subscription.finish();
      const deadline = Date.now() + 2_000;
      while ([...connections.values()].some((c) => Object.keys(c.protocol.subscriptions).length > 0) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      for (const connection of connections.values()) connection.socket.close(GOING_AWAY, 'The gateway is shutting down: reconnect.');
      await server.dispose();
    },
  };
}
