import { describe, expect, it } from 'vitest';
import { createErrorFormatter, createLogger } from '@ott/kit';
import { SUBGRAPH_ERROR_CODES } from '@ott/gateway/error-codes';
import { BillingErrorCode } from '../../subgraphs/billing/src/errors';
import { MyListErrorCode } from '../../subgraphs/my-list/src/errors';
import { RatingsErrorCode } from '../../subgraphs/ratings/src/errors';
import { StreamingErrorCode } from '../../subgraphs/streaming/src/errors';
import { UsersErrorCode } from '../../subgraphs/users/src/errors';

describe('error codes the gateway passes on', () => {
  it('are exactly the codes the subgraphs declare as their own', () => {
    const declared = new Set(
      [UsersErrorCode, MyListErrorCode, RatingsErrorCode, StreamingErrorCode, BillingErrorCode].flatMap((codes) => Object.values(codes)),
    );
    expect([...SUBGRAPH_ERROR_CODES].sort()).toEqual([...declared].sort());
  });

  it('keeps a subgraph’s own code and masks a code nobody declared', () => {
    const format = createErrorFormatter(createLogger('test', 'silent'), SUBGRAPH_ERROR_CODES);
    const declined = { message: 'The card was declined.', extensions: { code: 'PAYMENT_DECLINED', serviceName: 'billing' } };
    expect(format(declined, declined)).toEqual({ message: 'The card was declined.', extensions: { code: 'PAYMENT_DECLINED' } });
    const unknown = { message: 'raw driver text', extensions: { code: 'SOMETHING_ELSE' } };
    expect(format(unknown, unknown)).toMatchObject({ extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(format(unknown, unknown).message).not.toMatch(/driver/);
  });
});
