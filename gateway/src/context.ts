import type { Request } from 'express';
import { createRequestContext, type Logger, type RequestContext, type TokenConfig } from '@ott/kit';

export interface GatewayContext extends RequestContext {
  /** Forwarded as is: every subgraph verifies the token again. */
  authorization: string | undefined;
}

export function gatewayContextFactory(tokens: TokenConfig, logger: Logger) {
  return async (req: Request, requestId: string): Promise<GatewayContext> => ({
    ...createRequestContext(req.headers, requestId, tokens, logger),
    authorization: req.headers.authorization,
  });
}
