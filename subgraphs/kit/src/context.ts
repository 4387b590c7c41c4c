import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { GraphQLError } from 'graphql';
import { credentialsFromAuthorization, type AuthUser } from './auth';
import { unauthenticated } from './errors';
import type { TokenConfig } from './token-keys';
import type { Logger } from './logger';

/** What every resolver can rely on; each subgraph extends it with its services and loaders. */
export interface RequestContext {
  requestId: string;
  user: AuthUser | null;
  logger: Logger;
  /** A token that did not verify: the request is refused with it before anything resolves (createGraphQLApp). */
  authError?: GraphQLError;
  /**
   * Whether the verified token was revoked since (its member's stamp), under way: createGraphQLApp
   * awaits it and turns a refusal into `authError`. Never rejects.
   */
  tokenCheck?: Promise<GraphQLError | undefined>;
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
export function createRequestContext(headers: IncomingHttpHeaders, requestId: string, tokens: TokenConfig, logger: Logger): RequestContext {
  const child = logger.child({ requestId });
  try {
    const credentials = credentialsFromAuthorization(headers.authorization, tokens);
    const tokenCheck = credentials && tokens.stamps ? tokens.stamps.check(credentials) : undefined;
    return { requestId, user: credentials?.user ?? null, logger: child, ...(tokenCheck ? { tokenCheck } : {}) };
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return { requestId, user: null, logger: child, authError: error };
  }
}

/**
 * Settles a context's token check (createGraphQLApp, before Apollo sees the context): a revoked
 * token makes the request refused as a whole, as one that does not verify.
 */
export async function settleTokenCheck<C extends Pick<RequestContext, 'tokenCheck'>>(context: C): Promise<C> {
  if (!context.tokenCheck) return context;
  const refused = await context.tokenCheck;
  return refused ? ({ ...context, user: null, authError: refused } as C) : context;
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
