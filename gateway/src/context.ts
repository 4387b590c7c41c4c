import { createRequestContext, type Logger, type RequestContext, type TokenConfig, type ServiceRequest } from '@ott/kit';
import type { RequestBudget } from './request-budget';

export interface GatewayContext extends RequestContext {
  /** Forwarded as is: every subgraph verifies the token again. */
  authorization: string | undefined;
  /**
   * The client's address (the socket's peer, or what TRUST_PROXY's proxies say), forwarded to
   * subgraphs as X-Forwarded-For. Absent for subscription updates, which the gateway runs itself.
   */
  clientIp?: string;
  /** When the request must be answered by (ms since the epoch): subgraph calls get what is left. */
  deadline: number;
  /**
   * Aborted when the client goes away (its HTTP connection closed before the answer, its
   * WebSocket closed): the request's subgraph calls are abandoned (transport/post.ts).
   */
  signal?: AbortSignal;
  /** An update of a subscription, run by the gateway itself: not a client's request, never refused for the client's concurrency. */
  subscriptionUpdate?: boolean;
}

export function gatewayContextFactory(tokens: TokenConfig, logger: Logger, budget: RequestBudget, requestTimeoutMs: number) {
  return async (req: ServiceRequest, requestId: string): Promise<GatewayContext> => {
    const clientIp = req.clientAddress();
    const context = createRequestContext(req.headers, requestId, tokens, logger);
    // A request with a bad token (no user, an authError) is still a request: it spends its address's budget.
    await budget(context.user, clientIp);
    return { ...context, authorization: req.headers.authorization, clientIp, deadline: Date.now() + requestTimeoutMs, signal: req.callerGone };
  };
}
