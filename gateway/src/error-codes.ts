/**
 * The subgraphs' own error codes, which the gateway passes on to clients beside the kit's
 * generic ones (docs/architecture.md, "Errors"). Listed here rather than imported, so the gateway
 * depends on no subgraph at run time; e2e/test/error-codes.test.ts keeps the list equal to
 * what the subgraphs declare in their src/errors.ts. Anything else is masked.
 */
export const SUBGRAPH_ERROR_CODES: readonly string[] = [
  // users
  'EMAIL_TAKEN',
  'INVALID_CREDENTIALS',
  // my-list
  'ALREADY_IN_LIST',
  'NOT_IN_LIST',
  // my-list, ratings, streaming
  'CONTENT_NOT_FOUND',
  // billing, streaming
  'MEMBERSHIP_REQUIRED',
  // billing
  'PAYMENT_DECLINED',
  // streaming
  'STREAM_LIMIT_REACHED',
];
