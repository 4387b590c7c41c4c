import type { SubgraphCallTiming } from '../metrics';
import { cacheHints } from './cache-hints';
import { callTiming } from './call-timing';
import { forwardHeaders } from './forward-headers';
import { requestDeadline } from './request-deadline';
import { sharedCalls } from './shared-calls';
import { SubgraphSource } from './subgraph-source';
import type { SubgraphHook } from './subgraph-call';
import { unavailableErrors } from './unavailable-errors';

export interface SubgraphChainOptions {
  name: string;
  url: string;
  /** SUBGRAPH_TIMEOUT_MS. */
  timeoutMs: number;
  sharedSecret?: string;
  /** Reports each call sent (gateway_subgraph_fetch_duration_seconds); no timing without it. */
  timing?: SubgraphCallTiming;
  /** Identical queries in flight sent once (shared-calls.ts); on unless switched off. */
  dedup?: boolean;
  /** Hooks of other features (the response cache's), prepared after the headers and deadline. */
  features?: readonly SubgraphHook[];
}

/**
 * The gateway's call to one subgraph: the bare POST and, in this order, its hooks. Preparing:
 * the headers, the deadline, then other features. Around the POST, from the outside in: the
 * dedup, then the timing, so a shared call is timed once and a caller that joins it is not
 * timed at all. On an answer, its cache hint; on a failure, SUBGRAPH_UNAVAILABLE.
 */
export function subgraphSource({ name, url, timeoutMs, sharedSecret, timing, dedup = true, features = [] }: SubgraphChainOptions): SubgraphSource {
  const hooks: SubgraphHook[] = [forwardHeaders(sharedSecret), requestDeadline, ...features, cacheHints, unavailableErrors];
  if (dedup) hooks.push(sharedCalls());
  if (timing) hooks.push(callTiming(timing));
  return new SubgraphSource({ name, url, timeoutMs, hooks });
}
