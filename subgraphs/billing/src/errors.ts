import { ErrorCode as GenericErrorCode } from '@ott/kit';

/**
 * This subgraph's own codes, which only its domain gives meaning to (docs/architecture.md, "Errors"): the
 * kit knows none of them. Passed to createGraphQLApp as `errorCodes`, so clients see them; the
 * gateway lists them too (gateway/src/error-codes.ts, kept equal by a test).
 */
export const BillingErrorCode = {
  /** The card was declined; nothing was charged. */
  PAYMENT_DECLINED: 'PAYMENT_DECLINED',
  /** The action needs an ACTIVE membership. */
  MEMBERSHIP_REQUIRED: 'MEMBERSHIP_REQUIRED',
} as const;

/** Billing's own codes, for telling a refusal the client caused (recorded, replayed) from a failure. */
export const billingCodes: ReadonlySet<string> = new Set(Object.values(BillingErrorCode));

/** Every code billing answers with: the kit's generic ones and its own. */
export const ErrorCode = { ...GenericErrorCode, ...BillingErrorCode } as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
