import './tracing';
import 'reflect-metadata';
import { createLogger, ensureIndexes, openMongo, openRedis, redisConnection, runService, startService, watchTokenStamps, type Service } from '@ott/kit';
import { billingConfig } from './config';
import type { PaymentProvider } from './payment/payment.provider';
import { createServer } from './server';

export interface BillingStartOptions {
  /** Tests wrap the test-mode payment provider (it is the project's own); nothing else may. */
  wrapProvider?: (provider: PaymentProvider) => PaymentProvider;
}

/** config → connections → serve; the only place that connects and listens. */
export async function start(env: NodeJS.ProcessEnv, options: BillingStartOptions = {}): Promise<Service> {
  const config = billingConfig(env);
  const logger = createLogger('billing', config.LOG_LEVEL);
  return startService(async (resources) => {
    // Every token verified here is checked against its member's "valid after" stamp.
    await watchTokenStamps(resources, config, logger);
    const mongo = await openMongo(resources, config, logger);
    const redis = await openRedis(resources, 'billing', { ...redisConnection(config), keyPrefix: `${config.REDIS_KEY_PREFIX}billing:` }, logger);
    // Without a key prefix: streaming reads the entitlements stream.
    const events = await openRedis(resources, 'billing-events', { ...redisConnection(config), keyPrefix: '' }, logger);
    const { app, models, plans, recovery } = await createServer({ config, mongo, redis, events, logger, ...options });
    await ensureIndexes(Object.values(models));
    await plans.seed();
    const server = await app.listen(config.HOST, config.PORT);
    // Stopped after the server (requests drained), before the connections close.
    resources.add(recovery, (worker) => worker.stop()).start();
    return server;
  });
}

if (require.main === module) runService('billing', start);
