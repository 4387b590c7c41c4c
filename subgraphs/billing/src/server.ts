import type { Connection } from 'mongoose';
import { entitlementsChanged } from '@ott/events';
import { createGraphQLApp, pingMongo, StreamPublisher, subgraphAppSettings, VersionedCache, type Logger, type RedisClient } from '@ott/kit';
import { BillingErrorCode } from './errors';
import type { BillingConfig } from './config';
import { contextFactory } from './context';
import { EntitlementsService } from './entitlements/entitlements.service';
import { createInvoiceModel, createInvoiceSequenceModel } from './invoice/invoice.model';
import { InvoiceService } from './invoice/invoice.service';
import { createMembershipModel } from './membership/membership.model';
import { MembershipEffects } from './membership/membership.effects';
import { MembershipService } from './membership/membership.service';
import { createOperationModels } from './operation/operation.model';
import { OperationRecovery } from './operation/operation.recovery';
import { OperationRunner, type OperationOptions } from './operation/operation.runner';
import { OperationSteps } from './operation/operation.steps';
import { OperationStore } from './operation/operation.store';
import type { PaymentProvider } from './payment/payment.provider';
import { createProviderModels, TestModePaymentProvider } from './payment/test-mode.provider';
import { createPlanModel } from './plan/plan.model';
import { PlanService } from './plan/plan.service';
import { RenewalService } from './renewal/renewal.service';
import { buildSchema } from './schema';

export interface BillingDeps {
  config: BillingConfig;
  mongo: Connection;
  redis: RedisClient;
  /** Without a key prefix: the entitlements stream is shared with streaming. */
  events: RedisClient;
  logger: Logger;
  /** Tests wrap the test-mode provider, e.g. to lose a request right after a charge. */
  wrapProvider?: (provider: PaymentProvider) => PaymentProvider;
}

const OPTIONS: OperationOptions = { leaseMs: 30_000, waitMs: 20_000, pollMs: 25, chargeAttempts: 4 };
const RECOVERY_BATCH_SIZE = 50;

export function createModels(mongo: Connection) {
  return {
    plans: createPlanModel(mongo),
    memberships: createMembershipModel(mongo),
    invoices: createInvoiceModel(mongo),
    invoiceSequences: createInvoiceSequenceModel(mongo),
    ...createOperationModels(mongo),
    ...createProviderModels(mongo),
  };
}

/** Schema, services and HTTP app of the billing subgraph, without listening. */
export async function createServer({ config, mongo, redis, events, logger, wrapProvider = (provider) => provider }: BillingDeps) {
  const models = createModels(mongo);
  const plans = new PlanService(models.plans, logger);
  const invoices = new InvoiceService(models.invoices, models.invoiceSequences);
  const cache = new VersionedCache(redis, logger, { namespace: 'entitlements', ttlSeconds: config.ENTITLEMENTS_CACHE_TTL_SECONDS });
  const changes = new StreamPublisher(
    events,
    entitlementsChanged,
    {
      stream: config.entitlementsEventsStream,
      lostMessage: 'could not announce an entitlements change: streaming uses its cached answer until ENTITLEMENTS_CACHE_TTL_SECONDS',
    },
    logger,
  );
  const entitlements = new EntitlementsService(cache, plans, changes);
  const provider = wrapProvider(new TestModePaymentProvider({ paymentMethods: models.paymentMethods, charges: models.charges, refunds: models.refunds }));
  const operations = new OperationStore(models.operations, OPTIONS.leaseMs);
  const steps = new OperationSteps({ operations, memberships: models.memberships, invoices, provider, logger, options: OPTIONS });
  const effects = new MembershipEffects({ memberships: models.memberships, steps, invoices, entitlements });
  const recovery = new OperationRecovery({
    operations,
    effects,
    steps,
    memberships: models.memberships,
    invoices,
    logger,
    options: {
      intervalMs: config.OPERATION_RECOVERY_INTERVAL_SECONDS * 1000,
      attempts: config.OPERATION_RECOVERY_ATTEMPTS,
      batchSize: RECOVERY_BATCH_SIZE,
      leaseMs: OPTIONS.leaseMs,
    },
  });
  const runner = new OperationRunner({ memberships: models.memberships, operations, effects, options: OPTIONS, recovery });
  const renewals = new RenewalService({ memberships: models.memberships, runner, plans, logger });
  const memberships = new MembershipService({ memberships: models.memberships, runner, plans });
  const app = createGraphQLApp({
    name: 'billing',
    logger,
    ...subgraphAppSettings(config),
    errorCodes: Object.values(BillingErrorCode),
    apollo: { schema: await buildSchema() },
    context: contextFactory({ plans, memberships, renewals, invoices, entitlements }, config.tokens, logger),
    readiness: { mongodb: () => pingMongo(mongo), redis: () => redis.ping() },
  });
  return { app, models, plans, memberships, renewals, entitlements, cache, recovery };
}
