import Negotiator from 'negotiator';

/** The incremental format the gateway writes: Apollo Client's Defer20220824Handler and Router speak it. */
export const DEFER_SPEC_20220824 = 'multipart/mixed; deferSpec=20220824';

/**
 * How a request that uses @defer is answered, from its Accept header, in the terms Apollo
 * Server negotiates the body it writes (runHttpQuery): `parts` when it would pick the
 * deferSpec=20220824 multipart format (the only one the gateway writes); otherwise `json`
 * when it takes a JSON answer, else `neither` (e.g. `multipart/mixed` alone, or only the
 * graphql-js v17 alpha format, `incrementalSpec=v0.2`).
 */
export function acceptsDeferredParts(accept: string | undefined): 'parts' | 'json' | 'neither' {
  if (!accept) return 'json';
  const negotiator = new Negotiator({ headers: { accept } });
  const multipart = negotiator.mediaType(['multipart/mixed', 'multipart/mixed; incrementalSpec=v0.2', DEFER_SPEC_20220824]);
  if (multipart === DEFER_SPEC_20220824) return 'parts';
  return negotiator.mediaType(['application/json', 'application/graphql-response+json']) ? 'json' : 'neither';
}
