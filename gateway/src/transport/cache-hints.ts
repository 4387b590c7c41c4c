import type { Answer, SubgraphCall, SubgraphHook } from './subgraph-call';

/** A subgraph's Cache-Control as @apollo/gateway reads it: no header, or no max-age, is not cacheable. */
export function cacheHint(header: string | undefined): { maxAge: number; scope?: 'PUBLIC' | 'PRIVATE' } {
  const directives = (header ?? '')
    .toLowerCase()
    .split(',')
    .map((part) => part.trim());
  const maxAge = directives.map((d) => /^max-age=(\d+)$/.exec(d)?.[1]).find((v) => v !== undefined);
  const scope = directives.includes('private') ? 'PRIVATE' : directives.includes('public') ? 'PUBLIC' : undefined;
  return { maxAge: maxAge === undefined ? 0 : Number(maxAge), ...(scope ? { scope } : {}) };
}

/**
 * The subgraph's Cache-Control restricts the operation's cache policy, as in
 * RemoteGraphQLDataSource, so the response cache stores only what every subgraph allowed.
 */
export const cacheHints: SubgraphHook = {
  answered({ options }: SubgraphCall, answer: Answer): void {
    if (!('incomingRequestContext' in options)) return;
    const policy = options.incomingRequestContext.overallCachePolicy;
    if (policy && 'restrict' in policy) policy.restrict(cacheHint(answer.cacheControl));
  },
};
