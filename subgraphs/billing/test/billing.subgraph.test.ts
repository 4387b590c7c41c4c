import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureIndexes, type Service } from '@ott/kit';
import { errorCodes, graphql, testAccessToken, testEnv, uniqueTag, typeDirectives } from '@ott/kit/testing';
import { start } from '../src/index';
import { InvoiceService } from '../src/invoice/invoice.service';
import { OperationKind, OperationStatus, type Operation } from '../src/operation/operation.model';
import { OperationStore } from '../src/operation/operation.store';
import { PaymentDeclinedError, TransientPaymentError } from '../src/payment/payment.provider';
import { TestModePaymentProvider } from '../src/payment/test-mode.provider';
import { createModels } from '../src/server';

let billing: Service;
let connection: mongoose.Connection;
let models: ReturnType<typeof createModels>;
let provider: TestModePaymentProvider;

const tokenFor = (id: string) => testAccessToken({ id, role: 'USER' }, 300);
const newUserId = () => new mongoose.Types.ObjectId().toHexString();

/** What a process that died mid-way through a subscription leaves behind: a pending operation whose lease has run out. */
const abandonedSubscription = (
  userId: string,
  fields: Partial<Operation> & Pick<Operation, 'key' | 'planCode' | 'lines' | 'amountCents'> & { _id?: mongoose.Types.ObjectId },
) =>
  models.operations.create({
    userId,
    kind: OperationKind.SUBSCRIBE,
    fingerprint: `${OperationKind.SUBSCRIBE}:${fields.planCode}`,
    slot: `${userId}:0`,
    status: OperationStatus.PENDING,
    lockedUntil: new Date(Date.now() - 1_000),
    membershipRevision: 0,
    membershipId: new mongoose.Types.ObjectId().toHexString(),
    currency: 'EUR',
    creditUsedCents: 0,
    ...fields,
  });

beforeAll(async () => {
  // The recovery worker sweeps once at start, then not during these tests: they take abandoned operations over themselves.
  const env = testEnv(uniqueTag('billing_direct'), { OPERATION_RECOVERY_INTERVAL_SECONDS: '3600' });
  billing = await start(env);
  connection = await mongoose.createConnection(env.MONGODB_URL!, { dbName: env.MONGODB_DB }).asPromise();
  models = createModels(connection);
  provider = new TestModePaymentProvider(models);
});
afterAll(async () => {
  await connection?.close();
  await billing?.close();
});

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

describe('resuming an interrupted subscription', () => {
  it('finishes an operation whose process died after charging, without charging again', async () => {
    await ensureIndexes(Object.values(models));
    const userId = newUserId();
    const operationId = new mongoose.Types.ObjectId();
    const method = await provider.createPaymentMethod({ token: 'tok_visa', idempotencyKey: `pm:${operationId.toHexString()}` });
    await provider.charge({
      idempotencyKey: `charge:${operationId.toHexString()}`,
      paymentMethodId: method.id,
      amountCents: 899,
      currency: 'EUR',
      description: 'Basic',
    });
    const charge = await models.charges
      .findOne({ idempotencyKey: `charge:${operationId.toHexString()}` })
      .orFail()
      .exec();
    const now = new Date();
    // The state a crash between the charge and the invoice leaves behind.
    await abandonedSubscription(userId, {
      _id: operationId,
      key: 'interrupted-key',
      planCode: 'BASIC',
      lines: [{ description: 'Basic plan', amountCents: 899 }],
      amountCents: 899,
      periodStart: now,
      periodEnd: new Date(now.getTime() + 30 * 86_400_000),
      paymentMethodId: method.id,
      chargeId: charge._id,
    });

    const replay = () =>
      graphql<{ subscribeToPlan: { status: string; plan: { code: string } } }>(
        billing.url,
        `
          mutation ($input: SubscribeToPlanInput!) {
            subscribeToPlan(input: $input) {
              status
              plan {
                code
              }
            }
          }
        `,
        { input: { planCode: 'BASIC', paymentToken: 'tok_visa', idempotencyKey: 'interrupted-key' } },
        { token: tokenFor(userId) },
      );
    // Ten retries find it at once: one takes the lease over, the others wait for its result.
    const responses = await Promise.all(Array.from({ length: 10 }, replay));
    for (const response of responses) {
      expect(response.errors).toBeUndefined();
      expect(response.data?.subscribeToPlan).toEqual({ status: 'ACTIVE', plan: { code: 'BASIC' } });
    }
    expect(await models.charges.countDocuments({ paymentMethodId: method.id }).exec()).toBe(1);
    expect(await models.invoices.countDocuments({ userId }).exec()).toBe(1);
    expect(await models.operations.findById(operationId).orFail().exec()).toMatchObject({ status: OperationStatus.SUCCEEDED, generation: 1 });
  });

  it('lets a new request close an operation abandoned before payment, so the membership is not stuck', async () => {
    const userId = newUserId();
    await abandonedSubscription(userId, {
      key: 'abandoned-key',
      planCode: 'PREMIUM',
      lines: [{ description: 'Premium plan', amountCents: 1999 }],
      amountCents: 1999,
    });
    const response = await graphql<{ subscribeToPlan: { status: string } }>(
      billing.url,
      `
        mutation ($input: SubscribeToPlanInput!) {
          subscribeToPlan(input: $input) {
            status
          }
        }
      `,
      { input: { planCode: 'BASIC', paymentToken: 'tok_visa', idempotencyKey: 'fresh-key' } },
      { token: tokenFor(userId) },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?.subscribeToPlan.status).toBe('ACTIVE');
    expect(await models.operations.findOne({ key: 'abandoned-key' }).orFail().exec()).toMatchObject({ status: OperationStatus.FAILED });
  });
});

describe('taking over an abandoned operation', () => {
  const abandoned = (key: string) =>
    abandonedSubscription(newUserId(), { key, planCode: 'BASIC', lines: [{ description: 'Basic plan', amountCents: 899 }], amountCents: 899 });

  it('lets exactly one of 20 processes that find the same expired lease take the operation over', async () => {
    const store = new OperationStore(models.operations, 30_000);
    const operation = await abandoned('raced-takeover');
    const takeovers = await Promise.all(Array.from({ length: 20 }, () => store.claim(operation)));
    const winners = takeovers.filter((takeover) => takeover !== null);
    expect(winners).toHaveLength(1);
    expect(winners[0]).toMatchObject({ generation: 1 });
    expect(winners[0]!.lockedUntil.getTime()).toBeGreaterThan(Date.now());
    expect(await store.claim(operation)).toBeNull();
  });

  it('stops the process it was taken over from at its next recorded step', async () => {
    const store = new OperationStore(models.operations, 30_000);
    const first = (await store.claim(await abandoned('fenced-takeover')))!;
    await models.operations.updateOne({ _id: first._id }, { $set: { lockedUntil: new Date(Date.now() - 1_000) } }).exec();
    const second = await store.claim(await store.reload(first));
    expect(second).toMatchObject({ generation: 2 });
    await expect(store.record(first, { chargeId: 'ch_late' })).rejects.toThrow(/settled by another process/);
    expect(await store.record(second!, { chargeId: 'ch_current' })).toMatchObject({ chargeId: 'ch_current' });
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
