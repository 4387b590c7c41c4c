import { STATUS_CODES } from 'node:http';
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayContext } from '../context';
import { post } from './post';
import { SubgraphCall, type Answer, type Send, type SubgraphHook } from './subgraph-call';

type SubgraphResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

export interface SubgraphSourceOptions {
  name: string;
  url: string;
  /** SUBGRAPH_TIMEOUT_MS: a call is cut off then (or sooner, if a hook shortens it). */
  timeoutMs: number;
  /** What each call does beside the bare POST, in order (transport/chain.ts). */
  hooks: readonly SubgraphHook[];
}

/** The answer as a GraphQL response: anything but HTTP 2xx with a JSON object is a failed call. */
function readAnswer(answer: Answer): SubgraphResponse {
  if (answer.status < 200 || answer.status > 299) throw new Error(`HTTP ${answer.status} ${STATUS_CODES[answer.status] ?? ''}`.trim());
  const response = JSON.parse(answer.body) as SubgraphResponse;
  if (typeof response !== 'object' || response === null) throw new Error('the answer is not a GraphQL response');
  return response;
}

/**
 * How the gateway calls one subgraph. @apollo/gateway plans and executes; this is only the
 * transport, in place of RemoteGraphQLDataSource, which spends more of the gateway's CPU than
 * the planner: a node-fetch Request and Headers per call, and a WHATWG fetch with its streams
 * and abort signal (bench/RESULTS.md, "Gateways side by side").
 *
 * A bare POST (post.ts) and the hooks it was built with: their places are sorted into arrays
 * and their wraps composed around the POST once, here, so a call allocates its SubgraphCall
 * and nothing for the chain itself.
 */
export class SubgraphSource implements GraphQLDataSource<GatewayContext> {
  private readonly send: Send;
  private readonly preparing: SubgraphHook[];
  private readonly answering: SubgraphHook[];
  private readonly failing: SubgraphHook[];

  constructor(private readonly options: SubgraphSourceOptions) {
    const { hooks } = options;
    this.send = hooks.reduceRight<Send>((send, hook) => hook.wrap?.(send) ?? send, post(options.url));
    this.preparing = hooks.filter((hook) => hook.prepare);
    this.answering = hooks.filter((hook) => hook.answered);
    this.failing = hooks.filter((hook) => hook.failed);
  }

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphResponse> {
    const { query, variables, operationName } = options.request;
    if (!query) throw new Error('the query planner sent no query');
    const call = new SubgraphCall(this.options.name, options, query, JSON.stringify({ query, variables, operationName }), this.options.timeoutMs);
    for (const hook of this.preparing) hook.prepare!(call);
    let answer: Answer;
    let response: SubgraphResponse;
    try {
      answer = await this.send(call);
      response = readAnswer(answer);
    } catch (error) {
      let thrown = error as Error;
      for (const hook of this.failing) thrown = hook.failed!(call, thrown);
      throw thrown;
    }
    for (const hook of this.answering) hook.answered!(call, answer);
    return response;
  }
}
