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

function post(url: URL, headers: Record<string, string>, body: string, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
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
    function fail(error: Error) {
      clearTimeout(timer);
      reject(error);
    }
    request.on('error', fail);
    request.end(body);
  });
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
 * - A call that fails (unreachable, cut off, not HTTP 2xx, not JSON) is an error naming the
 *   subgraph: the error formatter tells the client that part of the graph is unavailable, and
 *   logs the cause.
 * - The subgraph's Cache-Control restricts the operation's cache policy, as in
 *   RemoteGraphQLDataSource, so the response cache stores only what every subgraph allowed.
 */
export class SubgraphSource implements GraphQLDataSource<GatewayContext> {
  private readonly url: URL;
  private readonly inFlight = new Map<string, Promise<Answer>>();

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
      answer = await (query.startsWith('mutation') ? this.call(headers, body, timeoutMs) : this.shared(`${context.authorization ?? ''}\n${body}`, headers, body, timeoutMs));
      if (answer.status < 200 || answer.status > 299) throw new Error(`HTTP ${answer.status} ${STATUS_CODES[answer.status] ?? ''}`.trim());
      response = JSON.parse(answer.body) as SubgraphResponse;
      if (typeof response !== 'object' || response === null) throw new Error('the answer is not a GraphQL response');
    } catch (error) {
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

  private shared(key: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<Answer> {
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const call = this.call(headers, body, timeoutMs).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, call);
    return call;
  }

  private async call(headers: Record<string, string>, body: string, timeoutMs: number): Promise<Answer> {
    const { timing } = this.options;
    if (!timing) return post(this.url, headers, body, timeoutMs);
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const answer = await post(this.url, headers, body, timeoutMs);
      timing(answer.status >= 200 && answer.status <= 299 ? 'ok' : 'http_error', seconds());
      return answer;
    } catch (error) {
      timing(error instanceof SubgraphTimeout ? 'timeout' : 'error', seconds());
      throw error;
    }
  }
}
