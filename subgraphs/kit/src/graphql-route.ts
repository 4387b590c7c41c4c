import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { trace } from '@opentelemetry/api';
import { requestClientAddress, type TrustProxy } from './client-address';
import { SUBGRAPH_SECRET_HEADER } from './config';
import { requestIdFrom, settleTokenCheck } from './context';
import { DEADLINE_HEADER, withDatabaseBudget } from './database-budget';
import type { Logger } from './logger';
import { variablesDepthError } from './request-guards';
import { REQUEST_ID_ATTRIBUTE } from './tracing';

/** The largest request body a service reads; more is answered 413 (router.yaml holds Router to it too). */
export const REQUEST_BODY_LIMIT_BYTES = 1024 * 1024;

/** What a service's context factory is given of a request to /graphql. */
export interface ServiceRequest {
  readonly headers: IncomingHttpHeaders;
  /** The caller's address: the socket's peer, or what TRUST_PROXY's proxies say (as Express's `req.ip`). */
  clientAddress(): string;
  /** Aborted when the caller closes the connection before the answer was sent. */
  readonly callerGone: AbortSignal;
}

export interface GraphQLRouteOptions<C> {
  apollo: ApolloServer<C & object>;
  context: (request: ServiceRequest, requestId: string) => Promise<C>;
  logger: Logger;
  trustProxy: TrustProxy;
  sharedSecret?: string;
  dbConcurrencyPerRequest?: number;
  traced: boolean;
}

/** A refusal made before Apollo Server reads the request: one GraphQL error, its code (and what explains it) in `extensions`. */
function sendError(res: ServerResponse, status: number, { message, extensions }: { message: string; extensions: Record<string, unknown> }): void {
  const body = JSON.stringify({ errors: [{ message, extensions }] });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export const sendJsonError = (res: ServerResponse, status: number, code: string, message: string) => sendError(res, status, { message, extensions: { code } });

const BAD_JSON = 'The request body must be a JSON object: { "query": "…", "variables": { … } }.';
const TOO_LARGE = `The request body is larger than ${REQUEST_BODY_LIMIT_BYTES / (1024 * 1024)} MB.`;
const INTERNAL = 'Something went wrong on our side. Try again; if it persists, report the request id.';
export const refusals = { BAD_JSON, TOO_LARGE, INTERNAL };

/** `application/json` in UTF-8, not compressed: what this route reads itself. Anything else goes to the body parser. */
const PLAIN_JSON = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;
/** Subscriptions over HTTP and incremental delivery: answered as streams, by the routes before Apollo Server. */
const STREAM_ACCEPT = /multipart\/mixed|text\/event-stream/i;

const pathOf = (url = '') => {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
};
const searchOf = (url = '') => {
  const query = url.indexOf('?');
  return query === -1 ? '' : url.slice(query);
};

function variablesOf(method: string, body: unknown, search: string): unknown {
  if (method === 'POST') return (body as { variables?: unknown } | undefined)?.variables;
  const given = new URLSearchParams(search).get('variables');
  if (given === null) return undefined;
  try {
    return JSON.parse(given) as unknown;
  } catch {
    // Apollo Server answers variables that are not JSON itself (400).
    return undefined;
  }
}

function serviceRequest(req: IncomingMessage, res: ServerResponse, trust: TrustProxy): ServiceRequest {
  let gone: AbortController | undefined;
  return {
    headers: req.headers,
    clientAddress: () => requestClientAddress(req, trust),
    get callerGone() {
      if (!gone) {
        const controller = (gone = new AbortController());
        if (res.closed && !res.writableFinished) controller.abort();
        else res.once('close', () => !res.writableFinished && controller.abort());
      }
      return gone.signal;
    },
  };
}

/** Answers 413 and closes the connection: the rest of the body is never read. */
function refuseTooLarge(res: ServerResponse): undefined {
  res.setHeader('connection', 'close');
  sendJsonError(res, 413, 'BAD_REQUEST', TOO_LARGE);
  return undefined;
}

/** Reads a JSON body of at most REQUEST_BODY_LIMIT_BYTES; answers 400 or 413 itself (and resolves undefined) when it cannot. */
function readJsonBody(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
  if (Number(req.headers['content-length']) > REQUEST_BODY_LIMIT_BYTES) return Promise.resolve(refuseTooLarge(res));
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= REQUEST_BODY_LIMIT_BYTES) return void chunks.push(chunk);
      req.off('data', onData);
      resolve(refuseTooLarge(res));
    };
    req.on('data', onData);
    // A caller gone mid-body gets no answer; nothing was read for it.
    req.once('error', () => resolve(undefined));
    req.once('close', () => resolve(undefined));
    req.once('end', () => {
      if (size > REQUEST_BODY_LIMIT_BYTES) return;
      try {
        const body = JSON.parse(Buffer.concat(chunks, size).toString('utf8')) as unknown;
        // As Express's JSON parser in strict mode: objects and arrays only.
        if (typeof body === 'object' && body !== null) return resolve(body);
      } catch {
        // answered below
      }
      sendJsonError(res, 400, 'BAD_REQUEST', BAD_JSON);
      resolve(undefined);
    });
  });
}

/**
 * /graphql: request id, the shared secret, the variables' depth, the request's database budget,
 * then Apollo Server. A plain JSON POST (nearly every request) is read here directly; Express
 * and its body parser take the rest (GET, other encodings, streams), then `serve` the same way.
 */
export function graphqlRoute<C extends object>(options: GraphQLRouteOptions<C>) {
  const expected = options.sharedSecret ? createHash('sha256').update(options.sharedSecret).digest() : undefined;

  /** Names the request (x-request-id); refuses callers without the shared secret before anything is read. */
  function admit(req: IncomingMessage, res: ServerResponse): string | undefined {
    const requestId = requestIdFrom(req.headers);
    res.setHeader('x-request-id', requestId);
    // The HTTP server span is the active one here; the spans under it inherit the id.
    if (options.traced) trace.getActiveSpan()?.setAttribute(REQUEST_ID_ATTRIBUTE, requestId);
    if (expected) {
      const given = req.headers[SUBGRAPH_SECRET_HEADER];
      const digest = createHash('sha256')
        .update(typeof given === 'string' ? given : '')
        .digest();
      if (!timingSafeEqual(digest, expected)) {
        sendJsonError(res, 403, 'FORBIDDEN', 'This service answers the gateway only: send your request to the gateway.');
        return undefined;
      }
    }
    return requestId;
  }

  async function serve(req: IncomingMessage, res: ServerResponse, requestId: string, body: unknown): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const search = searchOf(req.url);
    const refusal = variablesDepthError(variablesOf(method, body, search));
    if (refusal) return sendError(res, 400, refusal);
    const request = serviceRequest(req, res, options.trustProxy);
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    const execute = () =>
      options.apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method, headers, search, body },
        context: async () => settleTokenCheck(await options.context(request, requestId)),
      });
    let answer: Awaited<ReturnType<typeof execute>>;
    if (options.dbConcurrencyPerRequest) {
      const deadline = Number(req.headers[DEADLINE_HEADER]);
      // The gateway closes a query's call once its clients all went away: start no more work
      // for it. A mutation goes on to its end (a closed call may be a timeout, not a departure).
      const query = (body as { query?: unknown } | undefined)?.query;
      const mutation = typeof query === 'string' && /^\s*mutation\b/.test(query);
      answer = await withDatabaseBudget(
        options.dbConcurrencyPerRequest,
        execute,
        Number.isFinite(deadline) ? deadline : undefined,
        mutation ? undefined : request.callerGone,
      );
    } else {
      answer = await execute();
    }
    for (const [key, value] of answer.headers) res.setHeader(key, value);
    res.statusCode = answer.status ?? 200;
    if (answer.body.kind === 'complete') {
      res.setHeader('content-length', Buffer.byteLength(answer.body.string));
      return void res.end(answer.body.string);
    }
    for await (const chunk of answer.body.asyncIterator) res.write(chunk);
    res.end();
  }

  function failed(res: ServerResponse, requestId: string | undefined, error: unknown) {
    options.logger.error({ err: error, requestId, path: '/graphql' }, 'unexpected error while serving a request');
    if (res.headersSent) return void res.destroy();
    sendJsonError(res, 500, 'INTERNAL_SERVER_ERROR', INTERNAL);
  }

  return {
    admit,
    serve,
    /** A JSON POST to /graphql that asks for no stream: this route reads it without Express. */
    takesDirectly(req: IncomingMessage): boolean {
      return (
        req.method === 'POST' &&
        pathOf(req.url) === '/graphql' &&
        PLAIN_JSON.test(req.headers['content-type'] ?? '') &&
        (req.headers['content-encoding'] ?? 'identity') === 'identity' &&
        !STREAM_ACCEPT.test(req.headers.accept ?? '')
      );
    },
    async serveDirectly(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const requestId = admit(req, res);
      if (!requestId) return;
      try {
        const body = await readJsonBody(req, res);
        if (body !== undefined) await serve(req, res, requestId, body);
      } catch (error) {
        failed(res, requestId, error);
      }
    },
  };
}
