import { ErrorCode as GenericErrorCode } from '@ott/kit';

/**
 * This subgraph's own codes, which only its domain gives meaning to (docs/architecture.md, "Errors"): the
 * kit knows none of them. Passed to createGraphQLApp as `errorCodes`, so clients see them; the
 * gateway lists them too (gateway/src/error-codes.ts, kept equal by a test).
 */
export const MyListErrorCode = {
  /** Adding a saved title. */
  ALREADY_IN_LIST: 'ALREADY_IN_LIST',
  /** Removing an unsaved one. */
  NOT_IN_LIST: 'NOT_IN_LIST',
  /** Catalog does not have the title, or removed it. */
  CONTENT_NOT_FOUND: 'CONTENT_NOT_FOUND',
} as const;

/** Every code my-list answers with: the kit's generic ones and its own. */
export const ErrorCode = { ...GenericErrorCode, ...MyListErrorCode } as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
