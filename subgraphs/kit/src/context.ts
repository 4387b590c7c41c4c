import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { GraphQLError } from 'graphql';
import { userFromAuthorization, type AuthUser } from './auth';
import { unauthenticated } from './errors';
import type { TokenConfig } from './config';
import type { Logger } from './logger';

/** What every resolver can rely on; each subgraph extends it with its services and loaders. */
export interface RequestContext {
  requestId: string;
  user: AuthUser | null;
  logger: Logger;
  /** A token that did not verify: the request is refused with it before anything resolves (createGraphQLApp). */
  authError?: GraphQLError;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

export function requestIdFrom(headers: IncomingHttpHeaders): string {
  const given = headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Verifies the caller's token again in every service: a direct call grants nothing extra. A
 * token that does not verify makes no anonymous caller: the request is refused as a whole.
 */
export function createRequestContext(
  headers: IncomingHttpHeaders,
  requestId: string,
  tokens: TokenConfig,
  logger: Logger,
): RequestContext {
  const child = logger.child({ requestId });
  try {
    return { requestId, user: userFromAuthorization(headers.authorization, tokens), logger: child };
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return { requestId, user: null, logger: child, authError: error };
  }
}

/**
 * The signed-in caller, for resolvers behind a signed-in rule: the rule refused anonymous
 * callers already, so this only makes that visible to the type checker (and holds if a rule
 * is ever loosened by mistake).
 */
export function requireUser(ctx: Pick<RequestContext, 'user'>): AuthUser {
  if (!ctx.user) throw unauthenticated();
  return ctx.user;
}
