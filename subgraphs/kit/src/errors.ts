import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from './logger';

/**
 * The codes any service may answer with, whatever its domain (docs/architecture.md, "Errors").
 * A service's own codes (EMAIL_TAKEN, STREAM_LIMIT_REACHED, …) are declared in its `src/errors.ts`
 * and made public by passing them to the formatter (`createGraphQLApp`'s `errorCodes`).
 */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Codes that describe the client's own request. Apollo Server and graphql-js raise the
 * GRAPHQL_* and BAD_REQUEST ones for malformed documents and variables.
 */
const GENERIC_PUBLIC_CODES = new Set<string>([
  ...Object.values(ErrorCode).filter((code) => code !== ErrorCode.INTERNAL_SERVER_ERROR),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  // The gateway's trusted documents (gateway/src/trusted-documents.ts).
  'PERSISTED_QUERY_HASH_MISMATCH',
  'PERSISTED_QUERY_NOT_IN_LIST',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** An error clients see with `code`: one of ErrorCode, or one the raising service declares. */
export function appError(code: string, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

export const badInput = (field: string, message: string) => appError(ErrorCode.BAD_USER_INPUT, `${field}: ${message}`, { field });
/**
 * No HTTP status of its own: between the gateway and a subgraph every answer is HTTP 200 with
 * GraphQL errors (a 401 there would reach clients as the gateway's wrapped "401: Unauthorized");
 * the gateway answers a bad token of its own caller with 401 (createGraphQLApp's `authErrorStatus`).
 */
export const unauthenticated = (message = 'Sign in to do this: send a valid access token as "Authorization: Bearer <token>".') =>
  appError(ErrorCode.UNAUTHENTICATED, message);
export const forbidden = (message = 'You are not allowed to do this.') => appError(ErrorCode.FORBIDDEN, message);
export const notFound = (what: string, id: string) => appError(ErrorCode.NOT_FOUND, `No ${what} with id "${id}".`, { id });

/**
 * A refusal by a rate limit; `retryAfterSeconds` (an integer ≥ 1) lets clients wait without
 * parsing the message. Subgraphs answer it with HTTP 200 like any GraphQL error (the gateway
 * wraps non-2xx answers of a subgraph as its own failure); the gateway turns it into a 429.
 */
export function rateLimited(what: string, retryAfterSeconds: number, extensions: Record<string, unknown> = {}): GraphQLError {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return appError(ErrorCode.RATE_LIMITED, `${what}: try again in ${seconds} second${seconds === 1 ? '' : 's'}.`, {
    ...extensions,
    retryAfterSeconds: seconds,
  });
}

export function errorCode(error: unknown): string | undefined {
  const code = (error as { extensions?: { code?: unknown } } | null)?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Whether the error describes the client's own request: a generic code, or one of the service's `ownCodes`. */
export function isPublicError(error: GraphQLFormattedError, ownCodes: ReadonlySet<string> = new Set()): boolean {
  const code = errorCode(error);
  return code !== undefined && code !== ErrorCode.INTERNAL_SERVER_ERROR && (GENERIC_PUBLIC_CODES.has(code) || ownCodes.has(code));
}

/**
 * What never reaches a client: stacks, and what @apollo/gateway adds to a subgraph's errors
 * (which subgraph answered, its URL, status and raw body).
 */
const INTERNAL_EXTENSIONS = new Set(['stacktrace', 'exception', 'serviceName', 'response', 'http']);

/**
 * Apollo Server's formatError: errors the client caused keep their message, code and the
 * extensions that explain them (internal ones are dropped); anything else is logged with its
 * path and masked (the operation's own log line, written after it, carries the request id).
 */
export function createErrorFormatter(logger: Logger, ownCodes: Iterable<string> = []) {
  const own = new Set(ownCodes);
  // One failed subgraph call nulls many fields, each with its own error over one cause: logged once.
  const logged = new WeakSet<object>();
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const extensions = Object.fromEntries(Object.entries(formatted.extensions ?? {}).filter(([key]) => !INTERNAL_EXTENSIONS.has(key)));
    if (isPublicError(formatted, own)) return { ...formatted, extensions };
    const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
    let cause: unknown = original;
    while (cause instanceof GraphQLError && cause.originalError) cause = cause.originalError;
    const seen = typeof cause === 'object' && cause !== null && logged.has(cause);
    if (typeof cause === 'object' && cause !== null) logged.add(cause);
    if (!seen) logger.error({ err: original, path: formatted.path, subgraph: formatted.extensions?.serviceName }, 'unexpected error while resolving a request');
    return {
      // @apollo/gateway names the subgraph of a failed call: the rest of the answer stands.
      message: formatted.extensions?.serviceName
        ? 'Part of the graph is unavailable right now: the fields it answers are null, the rest of the answer is complete. Try again shortly.'
        : 'Something went wrong on our side. Try again; if it persists, report the request id.',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

/** MongoDB duplicate-key error (E11000), as raised by MongoDB and FerretDB alike. */
export function isDuplicateKeyError(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 11000;
}
