import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayContext } from '../context';

/** What a subgraph answered, before it is parsed: a shared answer is parsed once per caller. */
export interface Answer {
  status: number;
  cacheControl: string | undefined;
  body: string;
}

/** One call to one subgraph, as the hooks see and shape it before it is sent. */
export class SubgraphCall {
  /** Sent as they are: the hooks add theirs before the call goes out. */
  readonly headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  /** Mutations are never shared nor abandoned: their client may have gone, their effect has not. */
  readonly mutation: boolean;
  /**
   * Aborts the call (its connection closed, so the subgraph sees it): the client's, for a
   * query; none for a mutation. The dedup hook puts its shared call's in its place.
   */
  signal: AbortSignal | undefined;

  constructor(
    readonly subgraph: string,
    readonly options: GraphQLDataSourceProcessOptions<GatewayContext>,
    readonly query: string,
    readonly body: string,
    /** How long the call may take: the subgraph timeout, shortened by the deadline hook. */
    public timeoutMs: number,
  ) {
    this.mutation = query.startsWith('mutation');
    this.signal = this.mutation ? undefined : this.context.signal;
  }

  /** Partial: a health check's call comes with no request behind it. */
  get context(): Partial<GatewayContext> {
    return this.options.context;
  }
}

/** Sends a call and resolves with what the subgraph answered (the transport, or a hook around it). */
export type Send = (call: SubgraphCall) => Promise<Answer>;

/**
 * One concern of a subgraph call, in any of four places; a SubgraphSource sorts its hooks by
 * place once, when it is built, so a call only iterates arrays (no closures built per call).
 */
export interface SubgraphHook {
  /** Before the call is sent, in the chain's order: headers, the time it may take. */
  prepare?(call: SubgraphCall): void;
  /** Around sending, composed once: the first hook of the chain is the outermost. */
  wrap?(send: Send): Send;
  /** After a well-formed answer, in the chain's order. */
  answered?(call: SubgraphCall, answer: Answer): void;
  /** What a failed call throws instead of `error`, in the chain's order. */
  failed?(call: SubgraphCall, error: Error): Error;
}

/** Raised for a caller whose client went away: its call is not waited for, nor made. */
export class ClientGone extends Error {
  constructor() {
    super('the client closed the request');
  }
}

/** A call cut off at its `timeoutMs`. */
export class SubgraphTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}
