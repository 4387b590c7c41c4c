import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureIndexes, type Service } from '@ott/kit';
import { graphql } from '@ott/kit/testing';
import { OperationKind, OperationStatus, type Operation } from '../src/operation/operation.model';
import { OperationStore } from '../src/operation/operation.store';
import type { TestModePaymentProvider } from '../src/payment/test-mode.provider';
import { newUserId, startBilling, tokenFor, type BillingService } from './support/billing-service';

// Subscriptions whose process died mid-way: resumed by a retry, closed by a new request, or taken over.
let service: BillingService;
let billing: Service;
let models: BillingService['models'];
let provider: TestModePaymentProvider;

beforeAll(async () => {
  service = await startBilling('billing_abandoned');
  ({ billing, models, provider } = service);
});
afterAll(() => service?.close());

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
