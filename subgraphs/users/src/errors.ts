import { ErrorCode as GenericErrorCode } from '@ott/kit';

/**
 * This subgraph's own codes, which only its domain gives meaning to (docs/architecture.md, "Errors"): the
 * kit knows none of them. Passed to createGraphQLApp as `errorCodes`, so clients see them; the
 * gateway lists them too (gateway/src/error-codes.ts, kept equal by a test).
 */
export const UsersErrorCode = {
  /** An account with this email exists. */
  EMAIL_TAKEN: 'EMAIL_TAKEN',
  /** Wrong email or password (the same answer for both). */
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
} as const;

/** Every code users answers with: the kit's generic ones and its own. */
export const ErrorCode = { ...GenericErrorCode, ...UsersErrorCode } as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
