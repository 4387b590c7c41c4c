import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '@ott/kit';
import { errorCodes, graphql, testEnv, uniqueTag, typeDirectives } from '@ott/kit/testing';
import { start } from '../src/index';
import { InvoiceService } from '../src/invoice/invoice.service';
import { PaymentDeclinedError, TransientPaymentError } from '../src/payment/payment.provider';
import type { TestModePaymentProvider } from '../src/payment/test-mode.provider';
import { newUserId, startBilling, tokenFor, type BillingService } from './support/billing-service';

// Resuming and taking over abandoned operations is in abandoned-operations.test.ts.
let service: BillingService;
let billing: Service;
let models: BillingService['models'];
let provider: TestModePaymentProvider;

beforeAll(async () => {
  service = await startBilling('billing_direct');
  ({ billing, models, provider } = service);
});
afterAll(() => service?.close());

describe('the billing subgraph reached directly', () => {
  it('contributes membership, entitlements and invoices to the users subgraph’s User entity', async () => {
    const response = await graphql<{ _service: { sdl: string } }>(
      billing.url,
      `
        {
          _service {
            sdl
          }
        }
      `,
    );
    const sdl = response.data?._service.sdl ?? '';
    expect(typeDirectives(sdl, 'User')).toEqual(['@key(fields: "id")']);
    expect(sdl).toMatch(/membership: Membership\n/);
  });

  it('verifies the token itself: a forged one is UNAUTHENTICATED here too', async () => {
    const token = tokenFor(newUserId());
    const response = await graphql(
      billing.url,
      `
        {
          myEntitlements {
            canStream
          }
        }
      `,
      {},
      { token: `${token.slice(0, -4)}AAAA` },
    );
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('invoice numbers', () => {
  it('stay unique and gap-free when many invoices of one year are issued at once, and once per source', async () => {
    // 25 sources, each issued twice concurrently.
    const issued = await Promise.all(Array.from({ length: 50 }, (_, i) => issueIn(2031, i % 25)));
    const numbers = new Set(issued.map((invoice) => invoice.number));
    expect(numbers.size).toBe(25);
    const stored = await models.invoices.find({ year: 2031 }).sort({ seq: 1 }).exec();
    expect(stored.map((invoice) => invoice.number)).toEqual(Array.from({ length: 25 }, (_, i) => `INV-2031-${String(i + 1).padStart(6, '0')}`));
  });

  it('start the next claim at the year’s last issued number, and close the gap when that hint lags behind a crash', async () => {
    await issueIn(2032, 1);
    await issueIn(2032, 2);
    expect(await models.invoiceSequences.findById(2032).lean().exec()).toEqual({ _id: 2032, last: 2 });
    // a process that died between its insert and the hint's update
    await models.invoiceSequences.updateOne({ _id: 2032 }, { $set: { last: 1 } }).exec();
    expect((await issueIn(2032, 3)).number).toBe('INV-2032-000003');
    expect(await models.invoiceSequences.findById(2032).lean().exec()).toEqual({ _id: 2032, last: 3 });
    // invoices issued before the hint existed
    await models.invoiceSequences.deleteOne({ _id: 2032 }).exec();
    expect((await issueIn(2032, 4)).number).toBe('INV-2032-000004');
  });
});

function issueIn(year: number, source: number) {
  return new InvoiceService(models.invoices, models.invoiceSequences).issue({
    sourceKey: `test:${year}:${source}`,
    userId: 'u',
    membershipId: 'm',
    currency: 'EUR',
    lines: [{ description: 'x', amountCents: 100 }],
    status: 'PAID',
    issuedAt: new Date(`${year}-06-01T00:00:00Z`),
  });
}

describe('the test-mode payment provider', () => {
  it('records one charge for concurrent requests with one idempotency key', async () => {
    const method = await provider.createPaymentMethod({ token: 'tok_visa', idempotencyKey: 'pm:concurrent' });
    const request = { idempotencyKey: 'charge:concurrent', paymentMethodId: method.id, amountCents: 500, currency: 'EUR', description: 'test' };
    const charges = await Promise.all(Array.from({ length: 10 }, () => provider.charge(request)));
    expect(new Set(charges.map((charge) => charge.id)).size).toBe(1);
    expect(await models.charges.countDocuments({ idempotencyKey: 'charge:concurrent' }).exec()).toBe(1);
  });

  it('declines tok_chargeDeclined every time, and fails tok_processingError once after recording the charge', async () => {
    const declining = await provider.createPaymentMethod({ token: 'tok_chargeDeclined', idempotencyKey: 'pm:declined' });
    const declined = { idempotencyKey: 'charge:declined', paymentMethodId: declining.id, amountCents: 500, currency: 'EUR', description: 'test' };
    await expect(provider.charge(declined)).rejects.toBeInstanceOf(PaymentDeclinedError);
    await expect(provider.charge(declined)).rejects.toBeInstanceOf(PaymentDeclinedError);

    const flaky = await provider.createPaymentMethod({ token: 'tok_processingError', idempotencyKey: 'pm:flaky' });
    const request = { idempotencyKey: 'charge:flaky', paymentMethodId: flaky.id, amountCents: 500, currency: 'EUR', description: 'test' };
    await expect(provider.charge(request)).rejects.toBeInstanceOf(TransientPaymentError);
    const retried = await provider.charge(request);
    expect(await models.charges.find({ idempotencyKey: 'charge:flaky' }).exec()).toMatchObject([{ _id: retried.id, status: 'succeeded' }]);
    expect(flaky.label).toBe('tok_…rror');
  });

  it('refunds a charge in full once: a repeated key answers the first refund, another key or a declined charge is refused', async () => {
    const method = await provider.createPaymentMethod({ token: 'tok_visa', idempotencyKey: 'pm:refund' });
    const charge = await provider.charge({
      idempotencyKey: 'charge:refund',
      paymentMethodId: method.id,
      amountCents: 899,
      currency: 'EUR',
      description: 'test',
    });
    const request = { idempotencyKey: 'refund:one', chargeId: charge.id, amountCents: 899, reason: 'test' };
    const refunds = await Promise.all(Array.from({ length: 5 }, () => provider.refund(request)));
    expect(new Set(refunds.map((refund) => refund.id)).size).toBe(1);
    expect(await models.refunds.find({ chargeId: charge.id }).lean().exec()).toMatchObject([{ _id: refunds[0]!.id, amountCents: 899, requests: 5 }]);
    await expect(provider.refund({ ...request, idempotencyKey: 'refund:two' })).rejects.toThrow(/already refunded/);
    await expect(provider.refund({ ...request, amountCents: 100, idempotencyKey: 'refund:partial' })).rejects.toThrow(/in full/);

    const declining = await provider.createPaymentMethod({ token: 'tok_chargeDeclined', idempotencyKey: 'pm:refund-declined' });
    const declined = { idempotencyKey: 'charge:refund-declined', paymentMethodId: declining.id, amountCents: 899, currency: 'EUR', description: 'test' };
    await expect(provider.charge(declined)).rejects.toBeInstanceOf(PaymentDeclinedError);
    const { _id: chargeId } = await models.charges.findOne({ idempotencyKey: declined.idempotencyKey }).orFail().exec();
    await expect(provider.refund({ ...request, chargeId, idempotencyKey: 'refund:declined' })).rejects.toThrow(/no succeeded charge/);
  });

  it('refuses a reused idempotency key for a different amount', async () => {
    const method = await provider.createPaymentMethod({ token: 'tok_visa', idempotencyKey: 'pm:reuse' });
    const request = { idempotencyKey: 'charge:reuse', paymentMethodId: method.id, amountCents: 500, currency: 'EUR', description: 'test' };
    await provider.charge(request);
    await expect(provider.charge({ ...request, amountCents: 600 })).rejects.toThrow(/different charge/);
  });
});

describe('entitlements cache', () => {
  it('keeps answering from the database when Redis cannot be reached', async () => {
    const env = testEnv(uniqueTag('billing_noredis'), { REDIS_URL: 'redis://127.0.0.1:1' });
    const offline = await start(env);
    try {
      const response = await graphql(
        offline.url,
        `
          {
            myEntitlements {
              canStream
              maxStreams
            }
          }
        `,
        {},
        { token: tokenFor(newUserId()) },
      );
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ myEntitlements: { canStream: false, maxStreams: 0 } });
    } finally {
      await offline.close();
    }
  });
});
