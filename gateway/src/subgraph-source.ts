import { request as httpRequest, Agent as HttpAgent, STATUS_CODES } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { DEADLINE_HEADER, SUBGRAPH_SECRET_HEADER } from '@ott/kit';
import type { GatewayContext } from './context';
import type { SubgraphCallTiming } from './metrics';

type SubgraphResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

/** What a subgraph answered, before it is parsed: a shared answer is parsed once per caller. */
interface Answer {
  status: number;
  cacheControl: string | undefined;
  body: string;
}

export interface SubgraphSourceOptions {
  name: string;
  url: string;
  /** SUBGRAPH_TIMEOUT_MS: a call is cut off then, or at the request's deadline if that comes first. */
  timeoutMs: number;
  sharedSecret?: string;
  /** Reports each call made (gateway_subgraph_fetch_duration_seconds). */
  timing?: SubgraphCallTiming;
}

/**
 * Keep-alive sockets to every subgraph, reused in LIFO order (the warmest first); idle sockets
 * are closed well before the subgraphs' own 65 s keep-alive, so a reused socket is never one
 * the subgraph is closing.
 */
const agents = {
  'http:': new HttpAgent({ keepAlive: true, scheduling: 'lifo', timeout: 30_000 }),
  'https:': new HttpsAgent({ keepAlive: true, scheduling: 'lifo', timeout: 30_000 }),
};

class SubgraphTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

/** Raised for a caller whose client went away: its call is not waited for, nor made. */
export class ClientGone extends Error {
  constructor() {
    super('the client closed the request');
  }
}

function post(url: URL, headers: Record<string, string>, body: string, timeoutMs: number, signal?: AbortSignal): Promise<Answer> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ClientGone());
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(url, { method: 'POST', agent: agents[url.protocol as keyof typeof agents], headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, cacheControl: response.headers['cache-control'], body: text });
      });
      response.on('error', fail);
    });
    const timer = setTimeout(() => request.destroy(new SubgraphTimeout(timeoutMs)), timeoutMs);
    // The subgraph sees its request's connection close, and stops waiting on it.
    const abort = () => request.destroy(new ClientGone());
    signal?.addEventListener('abort', abort, { once: true });
    function fail(error: Error) {
      clearTimeout(timer);
      reject(error);
    }
    request.on('error', fail);
    request.on('close', () => signal?.removeEventListener('abort', abort));
    request.end(body);
  });
}

/** A call in flight that identical queries share, and how many of their callers still wait for it. */
interface SharedCall {
  answer: Promise<Answer>;
  waiters: number;
  controller: AbortController;
}

/** A subgraph's Cache-Control as @apollo/gateway reads it: no header, or no max-age, is not cacheable. */
function cacheHint(header: string | undefined): { maxAge: number; scope?: 'PUBLIC' | 'PRIVATE' } {
  const directives = (header ?? '').toLowerCase().split(',').map((part) => part.trim());
  const maxAge = directives.map((d) => /^max-age=(\d+)$/.exec(d)?.[1]).find((v) => v !== undefined);
  const scope = directives.includes('private') ? 'PRIVATE' : directives.includes('public') ? 'PUBLIC' : undefined;
  return { maxAge: maxAge === undefined ? 0 : Number(maxAge), ...(scope ? { scope } : {}) };
}

/**
 * How the gateway calls one subgraph. @apollo/gateway plans and executes; this is only the
 * transport, in place of RemoteGraphQLDataSource, which spends more of the gateway's CPU than
 * the planner: a node-fetch Request and Headers per call, and a WHATWG fetch with its streams
 * and abort signal (bench/RESULTS.md, "Gateways side by side").
 *
 * - Every call carries the caller's Authorization as it came, the request id, the deadline,
 *   the client address the gateway settled on, and the shared secret when one is set.
 * - Identical queries in flight at the same moment (same subgraph, same Authorization, same
 *   body: the query with its variables and representations) are sent once and their answer
 *   is shared; each caller parses its own copy, since the executor merges into what it gets.
 *   Mutations are never shared. As in Hive Gateway and Apollo Router's deduplication, a
 *   caller that joins a call in flight gets the answer of that call (which the subgraph logs
 *   under the request id of the caller that made it).
 * - A query's call is abandoned when its caller's client goes away (the context's `signal`:
 *   an HTTP client that disconnected, a closed WebSocket): the caller stops waiting at once,
 *   and the call itself is aborted (its connection closed, so the subgraph sees it) once no
 *   caller waits for it any more. A call not yet made for a client that left is not made.
 *   Mutations always run to their answer: their client may have gone, their effect has not.
 * - A call that fails (unreachable, cut off, not HTTP 2xx, not JSON) is an error naming the
 *   subgraph: the error formatter tells the client that part of the graph is unavailable, and
 *   logs the cause.
 * - The subgraph's Cache-Control restricts the operation's cache policy, as in
 *   RemoteGraphQLDataSource, so the response cache stores only what every subgraph allowed.
 */
export class SubgraphSource implements GraphQLDataSource<GatewayContext> {
  private readonly url: URL;
  private readonly inFlight = new Map<string, SharedCall>();

  constructor(private readonly options: SubgraphSourceOptions) {
    this.url = new URL(options.url);
  }

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphResponse> {
    const { query, variables, operationName } = options.request;
    if (!query) throw new Error('the query planner sent no query');
    const context: Partial<GatewayContext> = options.context;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.options.sharedSecret) headers[SUBGRAPH_SECRET_HEADER] = this.options.sharedSecret;
    if (context.requestId) headers['x-request-id'] = context.requestId;
    if (context.authorization) headers.authorization = context.authorization;
    if (context.deadline) headers[DEADLINE_HEADER] = String(context.deadline);
    // Set, never appended: whatever the client sent was already judged under TRUST_PROXY.
    if (context.clientIp) headers['x-forwarded-for'] = context.clientIp;
    context.answeredBy?.add(this.options.name);
    const body = JSON.stringify({ query, variables, operationName });
    const left = context.deadline ? context.deadline - Date.now() : this.options.timeoutMs;
    const timeoutMs = Math.max(1, Math.min(this.options.timeoutMs, left));

    let response: SubgraphResponse;
    let answer: Answer;
    try {
      answer = await (query.startsWith('mutation') ? this.call(headers, body, timeoutMs) : this.shared(`${context.authorization ?? ''}\n${body}`, headers, body, timeoutMs, context.signal));
      if (answer.status < 200 || answer.status > 299) throw new Error(`HTTP ${answer.status} ${STATUS_CODES[answer.status] ?? ''}`.trim());
      response = JSON.parse(answer.body) as SubgraphResponse;
      if (typeof response !== 'object' || response === null) throw new Error('the answer is not a GraphQL response');
    } catch (error) {
      if (error instanceof ClientGone) throw error;
      const cause = error instanceof SyntaxError ? new Error('the answer is not JSON') : (error as Error);
      throw new GraphQLError(`the ${this.options.name} subgraph did not answer: ${cause.message}`, {
        originalError: cause,
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: this.options.name },
      });
    }
    if ('incomingRequestContext' in options) {
      const policy = options.incomingRequestContext.overallCachePolicy;
      if (policy && 'restrict' in policy) policy.restrict(cacheHint(answer.cacheControl));
    }
    return response;
  }

  private shared(key: string, headers: Record<string, string>, body: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<Answer> {
    if (signal?.aborted) return Promise.reject(new ClientGone());
    let call = this.inFlight.get(key);
    if (!call) {
      const controller = new AbortController();
      const created: SharedCall = { answer: this.call(headers, body, timeoutMs, controller.signal), waiters: 0, controller };
      const forget = () => {
        if (this.inFlight.get(key) === created) this.inFlight.delete(key);
      };
      created.answer.then(forget, forget);
      this.inFlight.set(key, (call = created));
    }
    return this.wait(key, call, signal);
  }

  /** The shared call's answer for one caller, who stops waiting when its client goes away. */
  private wait(key: string, call: SharedCall, signal: AbortSignal | undefined): Promise<Answer> {
    call.waiters += 1;
    if (!signal) return call.answer;
    return new Promise((resolve, reject) => {
      const leave = () => {
        call.waiters -= 1;
        if (call.waiters === 0) {
          if (this.inFlight.get(key) === call) this.inFlight.delete(key);
          call.controller.abort();
        }
        reject(new ClientGone());
      };
      signal.addEventListener('abort', leave, { once: true });
      call.answer.then(
        (answer) => {
          signal.removeEventListener('abort', leave);
          resolve(answer);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', leave);
          reject(error as Error);
        },
      );
    });
  }

  private async call(headers: Record<string, string>, body: string, timeoutMs: number, signal?: AbortSignal): Promise<Answer> {
    const { timing } = this.options;
    if (!timing) return post(this.url, headers, body, timeoutMs, signal);
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const answer = await post(this.url, headers, body, timeoutMs, signal);
      timing(answer.status >= 200 && answer.status <= 299 ? 'ok' : 'http_error', seconds());
      return answer;
    } catch (error) {
      // A call abandoned by its clients says nothing about the subgraph.
      if (!(error instanceof ClientGone)) timing(error instanceof SubgraphTimeout ? 'timeout' : 'error', seconds());
      throw error;
    }
  }
}
