import { ErrorCode as GenericErrorCode } from '@ott/kit';

/**
 * This subgraph's own codes, which only its domain gives meaning to (docs/architecture.md, "Errors"): the
 * kit knows none of them. Passed to createGraphQLApp as `errorCodes`, so clients see them; the
 * gateway lists them too (gateway/src/error-codes.ts, kept equal by a test).
 */
export const StreamingErrorCode = {
  /** The plan's streams all play (`extensions.maxStreams`). */
  STREAM_LIMIT_REACHED: 'STREAM_LIMIT_REACHED',
  /** Playing needs an ACTIVE membership. */
  MEMBERSHIP_REQUIRED: 'MEMBERSHIP_REQUIRED',
  /** Catalog does not have the title, or removed it. */
  CONTENT_NOT_FOUND: 'CONTENT_NOT_FOUND',
} as const;

/** Every code streaming answers with: the kit's generic ones and its own. */
export const ErrorCode = { ...GenericErrorCode, ...StreamingErrorCode } as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
