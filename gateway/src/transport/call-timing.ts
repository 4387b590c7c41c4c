import type { SubgraphCallTiming } from '../metrics';
import { ClientGone, SubgraphTimeout, type Send, type SubgraphCall, type SubgraphHook } from './subgraph-call';

/**
 * Reports each call sent (gateway_subgraph_fetch_duration_seconds) by outcome, until its
 * answer. Placed inside the dedup hook, a call shared by identical queries counts once.
 */
export function callTiming(timing: SubgraphCallTiming): SubgraphHook {
  return {
    wrap:
      (send: Send): Send =>
      async (call: SubgraphCall) => {
        const started = performance.now();
        try {
          const answer = await send(call);
          timing(answer.status >= 200 && answer.status <= 299 ? 'ok' : 'http_error', (performance.now() - started) / 1000);
          return answer;
        } catch (error) {
          // A call abandoned by its clients says nothing about the subgraph.
          if (!(error instanceof ClientGone)) timing(error instanceof SubgraphTimeout ? 'timeout' : 'error', (performance.now() - started) / 1000);
          throw error;
        }
      },
  };
}
