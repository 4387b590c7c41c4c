import mongoose from 'mongoose';
import type { Service } from '@ott/kit';
import { testAccessToken, testEnv, uniqueTag } from '@ott/kit/testing';
import { start } from '../../src/index';
import { TestModePaymentProvider } from '../../src/payment/test-mode.provider';
import { createModels } from '../../src/server';

export const tokenFor = (id: string) => testAccessToken({ id, role: 'USER' }, 300);
export const newUserId = () => new mongoose.Types.ObjectId().toHexString();

/** A started billing subgraph, with its own database's models and the test-mode provider over them. */
export interface BillingService {
  billing: Service;
  models: ReturnType<typeof createModels>;
  provider: TestModePaymentProvider;
  close(): Promise<void>;
}

export async function startBilling(label: string): Promise<BillingService> {
  // The recovery worker sweeps once at start, then not during these tests: they take abandoned operations over themselves.
  const env = testEnv(uniqueTag(label), { OPERATION_RECOVERY_INTERVAL_SECONDS: '3600' });
  const billing = await start(env);
  try {
    const connection = await mongoose.createConnection(env.MONGODB_URL!, { dbName: env.MONGODB_DB }).asPromise();
    const models = createModels(connection);
    const close = async () => {
      await connection.close();
      await billing.close();
    };
    return { billing, models, provider: new TestModePaymentProvider(models), close };
  } catch (error) {
    await billing.close();
    throw error;
  }
}
