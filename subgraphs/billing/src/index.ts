import 'reflect-metadata';
import { connectMongo, connectRedis, createLogger, createRedis, ensureIndexes, runService, type Service } from '@ott/kit';
import { billingConfig } from './config';
import { createServer } from './server';

/** config → connections → serve; the only place that connects and listens. */
export async function start(env: NodeJS.ProcessEnv): Promise<Service> {
  const config = billingConfig(env);
  const logger = createLogger('billing', config.LOG_LEVEL);
  const mongo = await connectMongo(config.MONGODB_URL, config.MONGODB_DB, logger);
  const redis = createRedis('billing', { url: config.REDIS_URL, keyPrefix: `${config.REDIS_KEY_PREFIX}billing:` }, logger);
  try {
    // Entitlements fail open to the database when Redis is down, so a failed connect is not fatal.
    await connectRedis(redis).catch((err: unknown) => logger.warn({ err: { message: (err as Error).message } }, 'redis unavailable at start'));
    const { app, models, plans } = await createServer({ config, mongo, redis, logger });
    await ensureIndexes(Object.values(models));
    await plans.seed();
    const server = await app.listen(config.HOST, config.PORT);
    return {
      ...server,
      close: async () => {
        await server.close();
        redis.disconnect();
        await mongo.close();
      },
    };
  } catch (error) {
    redis.disconnect();
    await mongo.close();
    throw error;
  }
}

if (require.main === module) runService('billing', start);
