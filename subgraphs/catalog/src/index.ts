import 'reflect-metadata';
import { connectMongo, connectRedis, createLogger, createRedis, ensureIndexes, runService, type Service } from '@ott/kit';
import { catalogConfig } from './config';
import { indexedModels } from './models';
import { createServer } from './server';

/** config → connections → serve; the only place that connects and listens. */
export async function start(env: NodeJS.ProcessEnv): Promise<Service> {
  const config = catalogConfig(env);
  const logger = createLogger('catalog', config.LOG_LEVEL);
  const mongo = await connectMongo(config.MONGODB_URL, config.MONGODB_DB, logger);
  const redis = createRedis('catalog', { url: config.REDIS_URL, keyPrefix: `${config.REDIS_KEY_PREFIX}catalog:` }, logger);
  try {
    // The cache fails open: without Redis the catalogue is served from the database.
    await connectRedis(redis).catch((err: unknown) => logger.warn({ err: { message: (err as Error).message } }, 'redis unavailable at start'));
    const { app, models } = await createServer({ config, mongo, redis, logger });
    await ensureIndexes(indexedModels(models));
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

if (require.main === module) runService('catalog', start);
