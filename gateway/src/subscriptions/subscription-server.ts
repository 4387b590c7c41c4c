import type { IncomingMessage, Server } from 'node:http';
import type { ExecutionArgs, ExecutionResult } from 'graphql';
import { CloseCode, type Context as ConnectionContext, type SubscribePayload } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { requestClientAddress, type TrustProxy } from '@ott/kit';
import type { Connection, LiveSubscription } from './live-subscription';
import { refusal, type LiveSubscriptions } from './live-subscriptions';

export interface SubscriptionServerOptions {
  httpServer: Server;
  live: LiveSubscriptions;
  keepAliveMs: number;
  /** TRUST_PROXY: who may name the client in the upgrade request's X-Forwarded-For. */
  trustProxy: TrustProxy;
}

/** Close codes beyond the protocol's own. */
const GOING_AWAY = 1001;

interface Socket extends Connection {
  protocolContext: ConnectionContext;
}

/**
 * GraphQL subscriptions over graphql-ws on the gateway's own HTTP server and path. Events come
 * from streaming's Redis channels; for each, the subscriber's selection runs as a query through
 * the gateway (plugins, limits, error masking and all) with the subscriber's own credentials,
 * so a subscription may select any field of the graph (LiveSubscriptions, shared with the HTTP
 * protocols).
 *
 * Queries and mutations sent over the socket are requests like any over HTTP: each spends the
 * member's request budget, runs through Apollo Server (validation, limits, the cost check, the
 * response cache, the client's concurrency), carries the client's address as TRUST_PROXY
 * reads it from the upgrade request, and is abandoned when the socket closes.
 */
export function serveSubscriptions({ httpServer, live, keepAliveMs, trustProxy }: SubscriptionServerOptions) {
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const connections = new Map<ConnectionContext, Socket>();

  const server = useServer<Record<string, unknown>, { socket: WebSocket; request: IncomingMessage }>(
    {
      schema: () => live.schema(),
      onConnect: async (ctx) => {
        const { socket, request } = ctx.extra;
        const params = ctx.connectionParams ?? {};
        const signedIn = await live.connections.authenticate(params.authorization ?? params.Authorization);
        if ('error' in signedIn) {
          socket.close(CloseCode.Unauthorized, (signedIn.error ?? 'Send { "authorization": "Bearer <access token>" } in connection_init.').slice(0, 120));
          return false;
        }
        const { user, authorization } = signedIn;
        if (!live.connections.open(user.id)) {
          socket.close(CloseCode.Forbidden, `At most ${live.connections.connectionsPerMember} subscription connections per member: close one first.`);
          return false;
        }
        const connection: Socket = {
          protocol: 'graphql-ws',
          user,
          authorization,
          clientIp: requestClientAddress(request, trustProxy),
          closed: new AbortController(),
          subscriptions: new Set(),
          protocolContext: ctx,
          drop: (code, reason) => socket.close(code, reason),
        };
        live.connections.expireWithToken(connection, signedIn, CloseCode.Unauthorized);
        socket.once('close', () => connection.closed.abort());
        connections.set(ctx, connection);
        return true;
      },
      onSubscribe: async (ctx, _id, payload: SubscribePayload) => {
        const connection = connections.get(ctx);
        if (!connection) return refusal('UNAUTHENTICATED', 'Sign in first.').refused.slice();
        const prepared = await live.prepare(connection, payload);
        if ('refused' in prepared) return [...prepared.refused];
        const { document } = prepared;
        const args = { schema: live.schema(), document, operationName: payload.operationName ?? undefined, variableValues: payload.variables ?? {} };
        // A query or mutation is the protocol's one `next`; a subscription its stream.
        return { ...args, contextValue: 'result' in prepared ? { result: prepared.result } : { subscription: prepared.subscription } };
      },
      subscribe: (args: ExecutionArgs) => (args.contextValue as { subscription: LiveSubscription }).subscription,
      execute: (args: ExecutionArgs) => (args.contextValue as { result: ExecutionResult }).result,
      onClose: async (ctx) => {
        const connection = connections.get(ctx);
        if (!connection) return;
        connections.delete(ctx);
        // graphql-ws has returned those it was given; these were still being set up.
        await live.closeConnection(connection);
      },
    },
    wss,
    keepAliveMs,
  );

  return {
    /** Sockets open on this instance, and their subscriptions. */
    stats: () => ({ connections: connections.size, subscriptions: [...connections.values()].reduce((n, c) => n + c.subscriptions.size, 0) }),
    /** Completes every open subscription (each client gets `complete`), then closes every socket with 1001. */
    async close(): Promise<void> {
      for (const connection of connections.values()) for (const subscription of connection.subscriptions) subscription.finish();
      const deadline = Date.now() + 2_000;
      while ([...connections.values()].some((c) => Object.keys(c.protocolContext.subscriptions).length > 0) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      for (const connection of connections.values()) connection.drop(GOING_AWAY, 'The gateway is shutting down: reconnect.');
      await server.dispose();
    },
  };
}
