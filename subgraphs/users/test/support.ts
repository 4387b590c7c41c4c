import { expect } from 'vitest';
import { errorCodes, type GraphQLResponse } from '@ott/kit/testing';

export const PASSWORD = 'the right password';

/** Small limits, so tests reach them in a few requests. */
export const LIMITS = {
  LOGIN_FAILURES_PER_ACCOUNT_AND_IP: '3',
  LOGIN_FAILURES_PER_ACCOUNT: '6',
  LOGIN_FAILURES_PER_IP: '8',
  REGISTRATIONS_PER_IP: '3',
};

export function expectRateLimited(response: GraphQLResponse<unknown>, windowSeconds: number) {
  expect(errorCodes(response)).toEqual(['RATE_LIMITED']);
  const wait = response.errors![0]!.extensions!.retryAfterSeconds as number;
  expect(Number.isInteger(wait)).toBe(true);
  expect(wait).toBeGreaterThanOrEqual(1);
  expect(wait).toBeLessThanOrEqual(windowSeconds);
  expect(response.errors![0]!.message).toMatch(new RegExp(`try again in ${wait} seconds?\\.$`));
  // The federation hop stays a GraphQL answer: the gateway wraps a subgraph's non-2xx as its own failure.
  expect(response.status).toBe(200);
}
