import express, { type NextFunction, type Request, type Response } from 'express';
import { getOperationAST, parse, type ExecutionResult } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { REQUEST_BODY_LIMIT_BYTES, requestClientAddress, requestIdFrom, type Logger, type TrustProxy } from '@ott/kit';
import type { Connection, SubscriptionProtocol } from './live-subscription';
import type { LiveSubscriptions, OperationPayload } from './live-subscriptions';

/** Apollo's multipart subscription protocol: what Apollo Client's HttpLink asks for with `subscriptionSpec`. */
const MULTIPART = /multipart\/mixed[^,]*subscriptionspec/i;
const EVENT_STREAM = /text\/event-stream/i;
const JSON_TOO = /application\/(graphql-response\+)?json/i;
const BOUNDARY = 'graphql';

type ErrorBody = { message: string; extensions?: Record<string, unknown> };

/** How the protocols write what a subscription sends. */
interface Writer {
  contentType: string;
  result(result: ExecutionResult): string;
  /** The gateway ends the stream with an error (an expired token, a reader too slow). */
  fatal(errors: readonly ErrorBody[]): string;
  heartbeat: string;
  end: string;
}

const WRITERS: Record<Exclude<SubscriptionProtocol, 'graphql-ws'>, Writer> = {
  multipart: {
    contentType: `multipart/mixed;boundary="${BOUNDARY}";subscriptionSpec="1.0"`,
    result: (result) => `\r\n--${BOUNDARY}\r\ncontent-type: application/json; charset=utf-8\r\n\r\n${JSON.stringify({ payload: result })}`,
    fatal: (errors) => `\r\n--${BOUNDARY}\r\ncontent-type: application/json; charset=utf-8\r\n\r\n${JSON.stringify({ payload: null, errors })}`,
    heartbeat: `\r\n--${BOUNDARY}\r\ncontent-type: application/json; charset=utf-8\r\n\r\n{}`,
    end: `\r\n--${BOUNDARY}--\r\n`,
  },
  sse: {
    contentType: 'text/event-stream; charset=utf-8',
    result: (result) => `event: next\ndata: ${JSON.stringify(result)}\n\n`,
    fatal: (errors) => `event: next\ndata: ${JSON.stringify({ errors })}\n\n`,
    heartbeat: ':\n\n',
    end: 'event: complete\ndata:\n\n',
  },
};

const STATUS: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, RATE_LIMITED: 429, INTERNAL_SERVER_ERROR: 503 };

function refuse(res: Response, errors: readonly ErrorBody[]): void {
  const code = String(errors[0]?.extensions?.code ?? 'BAD_REQUEST');
  res
    .status(STATUS[code] ?? 400)
    .type('application/json')
    .send(JSON.stringify({ errors: errors.map((e) => ({ message: e.message, extensions: { ...e.extensions, http: undefined } })) }));
}

const failure = (code: string, message: string): ErrorBody[] => [{ message, extensions: { code } }];

function operationType(query: string, operationName: string | null | undefined): string | undefined {
  try {
    return getOperationAST(parse(query), operationName)?.operation;
  } catch {
    return undefined;
  }
}

/**
 * Subscriptions over HTTP at POST /graphql, beside graphql-ws: Apollo's multipart protocol
 * (`accept: multipart/mixed;subscriptionSpec="1.0"`) and SSE (`accept: text/event-stream`,
 * graphql-sse's distinct connections mode: one response per operation). Each response is a
 * connection with one subscription, under the same sign-in, request budget, limits and
 * per-member connection cap as a graphql-ws socket (LiveSubscriptions). Anything else passes
 * on to Apollo Server.
 */
export function httpSubscriptions(options: { live: () => LiveSubscriptions | undefined; trustProxy: TrustProxy; keepAliveMs: number; logger: Logger }) {
  const connections = new Set<Connection>();
  const readBody = express.json({ limit: REQUEST_BODY_LIMIT_BYTES });

  async function serve(live: LiveSubscriptions, protocol: 'multipart' | 'sse', req: Request, res: Response): Promise<void> {
    const payload = req.body as OperationPayload;
    const signedIn = await live.connections.authenticate(req.headers.authorization);
    if ('error' in signedIn) return refuse(res, failure('UNAUTHENTICATED', signedIn.error ?? 'Send Authorization: Bearer <access token> to subscribe.'));
    const { user, authorization } = signedIn;
    if (!live.connections.open(user.id))
      return refuse(res, failure('RATE_LIMITED', `At most ${live.connections.connectionsPerMember} subscription connections per member: close one first.`));
    const writer = WRITERS[protocol];
    let dropped: { code: number; reason: string } | undefined;
    const connection: Connection = {
      protocol,
      user,
      authorization,
      clientIp: requestClientAddress(req, options.trustProxy),
      closed: new AbortController(),
      subscriptions: new Set(),
      drop: (code, reason) => {
        dropped = { code, reason };
        for (const subscription of connection.subscriptions) void subscription.end();
      },
    };
    connections.add(connection);
    const closed = new Promise<void>((resolve) => res.once('close', resolve)).then(() => live.closeConnection(connection));
    live.connections.expireWithToken(connection, signedIn, CloseCode.Unauthorized);
    try {
      const prepared = await live.prepare(connection, payload);
      if (res.destroyed) return;
      if ('refused' in prepared)
        return refuse(
          res,
          prepared.refused.map((e) => e.toJSON() as ErrorBody),
        );
      res.status(200).setHeader('content-type', writer.contentType);
      res.setHeader('cache-control', 'no-cache');
      res.flushHeaders();
      if ('result' in prepared) {
        res.end(writer.result(prepared.result) + writer.end);
        return;
      }
      const heartbeat = setInterval(() => res.write(writer.heartbeat), options.keepAliveMs);
      try {
        for await (const result of prepared.subscription) res.write(writer.result(result));
      } finally {
        clearInterval(heartbeat);
      }
      if (dropped) res.write(writer.fatal(failure(dropped.code === CloseCode.Unauthorized ? 'UNAUTHENTICATED' : 'RATE_LIMITED', dropped.reason)));
      res.end(writer.end);
    } finally {
      connections.delete(connection);
      if (!res.writableEnded) res.end();
      await closed;
    }
  }

  return {
    route: (req: Request, res: Response, next: NextFunction): void => {
      const accept = req.headers.accept ?? '';
      const protocol = MULTIPART.test(accept) ? 'multipart' : EVENT_STREAM.test(accept) ? 'sse' : undefined;
      const live = options.live();
      if (!protocol || !live) return next();
      readBody(req, res, (err?: unknown) => {
        if (err) return next(err);
        const body = (req.body ?? {}) as Partial<OperationPayload>;
        if (typeof body.query !== 'string')
          return refuse(res, failure('BAD_REQUEST', 'Send the operation as JSON: { "query": "subscription { … }", "variables": { … } }.'));
        // Queries and mutations are Apollo Server's (@defer and all), unless the client reads
        // event streams only (graphql-sse); clients that list every type they read (urql) get JSON.
        const subscribing = operationType(body.query, body.operationName) === 'subscription';
        if (!subscribing && (protocol === 'multipart' || JSON_TOO.test(accept))) return next();
        const requestId = requestIdFrom(req.headers);
        res.setHeader('x-request-id', requestId);
        serve(live, protocol, req, res).catch((err: unknown) => {
          options.logger.error({ err, requestId, protocol }, 'an HTTP subscription failed');
          if (!res.headersSent)
            refuse(res, failure('INTERNAL_SERVER_ERROR', 'Something went wrong on our side. Try again; if it persists, report the request id.'));
          else res.end();
        });
      });
    },
    /** HTTP streams open on this instance, and their subscriptions. */
    stats: () => ({ connections: connections.size, subscriptions: [...connections].reduce((n, c) => n + c.subscriptions.size, 0) }),
    /** Completes every open stream (the client sees it end as a completed subscription). */
    close(): void {
      for (const connection of connections) for (const subscription of connection.subscriptions) subscription.finish();
    },
  };
}
