import { SUBGRAPH_SECRET_HEADER } from '@ott/kit';
import type { SubgraphCall, SubgraphHook } from './subgraph-call';

/**
 * What every subgraph call carries of its request: the caller's Authorization as it came
 * (every subgraph verifies the token again), the request id, the client address the gateway
 * settled on, and the shared secret when one is set.
 */
export function forwardHeaders(sharedSecret: string | undefined): SubgraphHook {
  return {
    prepare({ headers, context }: SubgraphCall): void {
      if (sharedSecret) headers[SUBGRAPH_SECRET_HEADER] = sharedSecret;
      if (context.requestId) headers['x-request-id'] = context.requestId;
      if (context.authorization) headers.authorization = context.authorization;
      // Set, never appended: whatever the client sent was already judged under TRUST_PROXY.
      if (context.clientIp) headers['x-forwarded-for'] = context.clientIp;
    },
  };
}
