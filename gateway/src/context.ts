import type { Request } from 'express';
import { createRequestContext, type Logger, type RequestContext, type TokenConfig } from '@ott/kit';

export interface GatewayContext extends RequestContext {
  /** Forwarded as is: every subgraph verifies the token again. */
  authorization: string | undefined;
  /** When the request must be answered by (ms since the epoch): subgraph calls get what is left. */
  deadline: number;
}

export function gatewayContextFactory(tokens: TokenConfig, logger: Logger, requestTimeoutMs: number) {
  return async (req: Request, requestId: string): Promise<GatewayContext> => ({
    ...createRequestContext(req.headers, requestId, tokens, logger),
    authorization: req.headers.authorization,
    deadline: Date.now() + requestTimeoutMs,
  });
}
