import { setTimeout as sleep } from 'node:timers/promises';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { currentDatabaseBudget, DEADLINE_HEADER, type Service } from '@ott/kit';
import { errorCodes, graphql, testAccessToken, testEnv, uniqueTag } from '@ott/kit/testing';
import { start } from '../src/index';
import { OperationKind, OperationStatus, type Operation, type OperationDocument } from '../src/operation/operation.model';
import type { ChargeRequest, PaymentProvider, RefundRequest } from '../src/payment/payment.provider';
import { TestModePaymentProvider } from '../src/payment/test-mode.provider';
import { createModels } from '../src/server';

/**
 * The project's test-mode provider, able to lose a request right after a charge: the charge
 * is made and recorded at the processor, then the answer takes until the request's deadline
 * has passed, so the request may not write anything more (not even release its lease).
 */
class LosingProvider implements PaymentProvider {
  loseNextCharge = false;

  constructor(private readonly inner: PaymentProvider) {}

  createPaymentMethod(request: { token: string; idempotencyKey: string }) {
    return this.inner.createPaymentMethod(request);
  }

  refund(request: RefundRequest) {
    return this.inner.refund(request);
  }

  async charge(request: ChargeRequest) {
    const charge = await this.inner.charge(request);
    if (this.loseNextCharge) {
      this.loseNextCharge = false;
      const deadline = currentDatabaseBudget()?.deadline ?? Number.POSITIVE_INFINITY;
      if (!Number.isFinite(deadline)) throw new Error('the test request carries no deadline');
      while (Date.now() <= deadline) await sleep(20);
    }
    return charge;
  }
}

const SUBSCRIBE = `mutation ($input: SubscribeToPlanInput!) { subscribeToPlan(input: $input) { status plan { code } } }`;
const WAIT = { timeout: 20_000, interval: 50 };

let env: NodeJS.ProcessEnv;
let billing: Service;
let losing: LosingProvider;
let connection: mongoose.Connection;
let models: ReturnType<typeof createModels>;
let provider: TestModePaymentProvider;

const newUserId = () => new mongoose.Types.ObjectId().toHexString();
const tokenFor = (userId: string) => testAccessToken({ id: userId, role: 'USER' });

function subscribe(userId: string, idempotencyKey: string, deadlineInMs?: number) {
  return graphql<{ subscribeToPlan: { status: string; plan: { code: string } } }>(
    billing.url,
    SUBSCRIBE,
    { input: { planCode: 'BASIC', paymentToken: 'tok_visa', idempotencyKey } },
    { token: tokenFor(userId), headers: deadlineInMs === undefined ? {} : { [DEADLINE_HEADER]: String(Date.now() + deadlineInMs) } },
  );
}

/** Subscribes with a request that is lost right after its charge: it answers an error, the operation stays pending. */
async function subscribeLosingTheCharge(userId: string, key: string) {
  losing.loseNextCharge = true;
  const lost = await subscribe(userId, key, 3_000);
  expect(errorCodes(lost)).toEqual(['INTERNAL_SERVER_ERROR']);
  // The card was charged: the processor has it, whatever the operation recorded.
  const operation = await operationOf(userId, key);
  expect(await models.charges.countDocuments({ idempotencyKey: `charge:${operation.id}` }).exec()).toBe(1);
}

const operationOf = (userId: string, key: string) => models.operations.findOne({ userId, key }).orFail().exec();
const settledOperation = (userId: string, key: string) =>
  vi.waitFor(async () => {
    const operation = await operationOf(userId, key);
    expect(operation.status).not.toBe(OperationStatus.PENDING);
    return operation;
  }, WAIT);

/** What a process that died after charging leaves behind: a pending, charged operation whose lease has run out. */
async function abandonedChargedSubscription(userId: string, key: string, fields: Partial<Operation> = {}): Promise<OperationDocument> {
  const id = new mongoose.Types.ObjectId();
  const method = await provider.createPaymentMethod({ token: 'tok_visa', idempotencyKey: `pm:${id.toHexString()}` });
  const charge = await provider.charge({
    idempotencyKey: `charge:${id.toHexString()}`,
    paymentMethodId: method.id,
    amountCents: 899,
    currency: 'EUR',
    description: 'Basic',
  });
  const now = new Date();
  return models.operations.create({
    _id: id,
    userId,
    key,
    kind: OperationKind.SUBSCRIBE,
    fingerprint: `${OperationKind.SUBSCRIBE}:BASIC`,
    slot: `${userId}:${fields.membershipRevision ?? 0}`,
    status: OperationStatus.PENDING,
    lockedUntil: new Date(Date.now() - 1_000),
    membershipRevision: 0,
    membershipId: new mongoose.Types.ObjectId().toHexString(),
    planCode: 'BASIC',
    currency: 'EUR',
    lines: [{ description: 'Basic plan', amountCents: 899 }],
    amountCents: 899,
    creditUsedCents: 0,
    periodStart: now,
    periodEnd: new Date(now.getTime() + 30 * 86_400_000),
    paymentMethodId: method.id,
    chargeId: charge.id,
    ...fields,
  });
}

/** One that cannot be completed: a resubscription whose membership is gone. */
const abandonedImpossibleSubscription = (userId: string, key: string) => abandonedChargedSubscription(userId, key, { membershipRevision: 1 });

async function expectCompleted(userId: string, key: string) {
  const operation = await settledOperation(userId, key);
  expect(operation).toMatchObject({ status: OperationStatus.SUCCEEDED, refundId: null });
  expect(await models.memberships.find({ userId }).lean().exec()).toMatchObject([{ status: 'ACTIVE', planCode: 'BASIC' }]);
  expect(await models.invoices.find({ userId }).lean().exec()).toMatchObject([{ status: 'PAID', amountCents: 899 }]);
  expect(await models.charges.countDocuments({ idempotencyKey: `charge:${operation.id}` }).exec()).toBe(1);
  expect(await models.refunds.countDocuments({ chargeId: operation.chargeId }).exec()).toBe(0);
  return operation;
}

async function expectRefunded(userId: string, key: string) {
  const operation = await settledOperation(userId, key);
  expect(operation).toMatchObject({ status: OperationStatus.FAILED, errorCode: 'BAD_USER_INPUT', recoveryAttempts: 2 });
  expect(operation.recoveryError).toMatch(/is not at revision 1/);
  expect(await models.refunds.find({ chargeId: operation.chargeId }).lean().exec()).toMatchObject([
    { _id: operation.refundId, amountCents: 899, idempotencyKey: `refund:${operation.id}`, requests: 1 },
  ]);
  expect(await models.memberships.countDocuments({ userId }).exec()).toBe(0);
  expect(await models.invoices.find({ userId }).lean().exec()).toMatchObject([{ status: 'VOID' }]);
  return operation;
}

beforeAll(async () => {
  env = testEnv(uniqueTag('billing_recovery'), { OPERATION_RECOVERY_INTERVAL_SECONDS: '0.1', OPERATION_RECOVERY_ATTEMPTS: '2' });
  billing = await start(env, {
    wrapProvider: (inner) => {
      losing = new LosingProvider(inner);
      return losing;
    },
  });
  connection = await mongoose.createConnection(env.MONGODB_URL!, { dbName: env.MONGODB_DB }).asPromise();
  models = createModels(connection);
  provider = new TestModePaymentProvider(models);
});
afterAll(async () => {
  await connection?.close();
  await billing?.close();
});

describe('a subscription whose request is lost after the charge', () => {
  it('is finished in the background: membership and invoice, no second charge, without any retry', async () => {
    const userId = newUserId();
    await subscribeLosingTheCharge(userId, 'lost-after-charge');
    await expectCompleted(userId, 'lost-after-charge');
  });

  it('answers a replay of its key with the outcome rather than an error', async () => {
    const userId = newUserId();
    await subscribeLosingTheCharge(userId, 'replayed-after-timeout');
    const replay = await subscribe(userId, 'replayed-after-timeout');
    expect(replay.errors).toBeUndefined();
    expect(replay.data?.subscribeToPlan).toEqual({ status: 'ACTIVE', plan: { code: 'BASIC' } });
    await expectCompleted(userId, 'replayed-after-timeout');
  }, 60_000);
});

describe('the recovery worker', () => {
  it('takes over and finishes a charged operation a dead process left pending past its lease', async () => {
    const userId = newUserId();
    await abandonedChargedSubscription(userId, 'left-by-dead-process');
    expect(await expectCompleted(userId, 'left-by-dead-process')).toMatchObject({ generation: 1 });
  });

  it('refunds the charge of one it cannot finish, voids its invoice and fails it with the reason; a replay answers that', async () => {
    const userId = newUserId();
    await abandonedImpossibleSubscription(userId, 'cannot-finish');
    await expectRefunded(userId, 'cannot-finish');
    const replay = await subscribe(userId, 'cannot-finish');
    expect(errorCodes(replay)).toEqual(['BAD_USER_INPUT']);
    expect(replay.errors![0]!.message).toMatch(/^idempotencyKey: .*refunded in full/);
    // Nothing is left holding the membership: a new purchase goes through.
    const fresh = await subscribe(userId, 'after-the-refund');
    expect(fresh.data?.subscribeToPlan).toEqual({ status: 'ACTIVE', plan: { code: 'BASIC' } });
  });

  it('in two billing instances on one database, finishes or refunds each operation once', async () => {
    const second = await start(env);
    try {
      const finishable = Array.from({ length: 8 }, () => newUserId());
      const impossible = Array.from({ length: 4 }, () => newUserId());
      await Promise.all([
        ...finishable.map((userId) => abandonedChargedSubscription(userId, 'two-workers')),
        ...impossible.map((userId) => abandonedImpossibleSubscription(userId, 'two-workers')),
      ]);
      for (const userId of finishable) {
        // One takeover each (a second would have moved the generation on), one membership, one invoice.
        expect(await expectCompleted(userId, 'two-workers')).toMatchObject({ generation: 1 });
      }
      // One refund request each: no two workers compensated the same operation.
      for (const userId of impossible) await expectRefunded(userId, 'two-workers');
    } finally {
      await second.close();
    }
  });
});
