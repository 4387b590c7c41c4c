import { DEADLINE_HEADER } from '@ott/kit';
import type { SubgraphCall, SubgraphHook } from './subgraph-call';

/**
 * The request's deadline, passed on: the subgraph is told it (so it stops work nobody will
 * wait for), and the call is cut off then when that comes before the subgraph timeout.
 */
export const requestDeadline: SubgraphHook = {
  prepare(call: SubgraphCall): void {
    const { deadline } = call.context;
    if (!deadline) return;
    call.headers[DEADLINE_HEADER] = String(deadline);
    call.timeoutMs = Math.max(1, Math.min(call.timeoutMs, deadline - Date.now()));
  },
};
