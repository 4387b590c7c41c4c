import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, Server } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { credentialsFromAuthorization, settleTokenCheck, SUBGRAPH_SECRET_HEADER, type Logger, type TokenConfig } from '@ott/kit';
import type { Context } from '../context';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * The Subscription fields over graphql-ws (graphql-transport-ws) at this subgraph's /graphql,
 * for a router that passes subscriptions through to the subgraph that declares them (Apollo
 * Router's passthrough mode, Hive Gateway). The caller's token comes from connection_init
 * (`authorization`, or `token` as Apollo Router names the Authorization header it propagates)
 * or the upgrade request's Authorization header;
 * with SUBGRAPH_SHARED_SECRET set, the upgrade request must carry it as every HTTP call does.
 * The socket closes (4401) when the token expires. The gateway itself does not come here: it serves subscriptions from the same Redis
 * channels (gateway/src/subscriptions).
 */
export function serveSubscriptionSocket(options: {
  httpServer: Server;
  schema: GraphQLSchema;
  context: (headers: IncomingHttpHeaders, requestId: string) => Promise<Context>;
  sharedSecret: string | undefined;
  tokens: TokenConfig;
  logger: Logger;
}) {
  const expected = options.sharedSecret ? digest(options.sharedSecret) : undefined;
  const wss = new WebSocketServer({ server: options.httpServer, path: '/graphql' });
  const contexts = new WeakMap<object, Context>();
  const server = useServer<Record<string, unknown>, { request: IncomingMessage }>(
    {
      schema: options.schema,
      onConnect: async (ctx) => {
        const { request } = ctx.extra;
        const secret = request.headers[SUBGRAPH_SECRET_HEADER];
        if (expected && !timingSafeEqual(digest(typeof secret === 'string' ? secret : ''), expected)) {
          ctx.extra.socket.close(CloseCode.Forbidden, 'This service answers the gateway only.');
          return false;
        }
        const params = ctx.connectionParams ?? {};
        // Apollo Router sends the propagated Authorization header as `token`.
        const given = params.authorization ?? params.Authorization ?? params.token;
        const headers = { ...request.headers, ...(typeof given === 'string' ? { authorization: given } : {}) };
        const context = await settleTokenCheck(await options.context(headers, randomUUID()));
        if (context.authError || !context.user) {
          ctx.extra.socket.close(
            CloseCode.Unauthorized,
            (context.authError?.message ?? 'Send { "authorization": "Bearer <access token>" } in connection_init.').slice(0, 120),
          );
          return false;
        }
        contexts.set(ctx, context);
        // Verified above: the socket lasts as long as the token.
        const { expiresAt } = credentialsFromAuthorization(headers.authorization!, options.tokens)!;
        const socket = ctx.extra.socket;
        const expiry = setTimeout(
          () => socket.close(CloseCode.Unauthorized, 'The access token expired: reconnect with a fresh one.'),
          Math.max(0, expiresAt.getTime() - Date.now()),
        );
        expiry.unref();
        socket.once('close', () => clearTimeout(expiry));
        return true;
      },
      context: (ctx) => contexts.get(ctx)!,
      onError: (_ctx, _id, _payload, errors) => {
        options.logger.info({ errors: errors.map((e) => e.extensions?.code ?? 'UNKNOWN') }, 'subscription refused');
      },
    },
    wss,
  );
  return { close: async () => server.dispose() };
}
