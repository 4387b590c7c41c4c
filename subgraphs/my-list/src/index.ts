import 'reflect-metadata';
import { connectMongo, connectRedis, createLogger, createRedis, ensureIndexes, runService, type Service } from '@ott/kit';
import { myListConfig } from './config';
import { contentDeletedConsumer } from './content/content-deleted.consumer';
import { createServer } from './server';

/** config → connections → serve; the only place that connects and listens. */
export async function start(env: NodeJS.ProcessEnv): Promise<Service> {
  const config = myListConfig(env);
  const logger = createLogger('my-list', config.LOG_LEVEL);
  const mongo = await connectMongo(config.MONGODB_URL, config.MONGODB_DB, logger);
  const redis = createRedis('my-list', { url: config.REDIS_URL, keyPrefix: `${config.REDIS_KEY_PREFIX}mylist:` }, logger);
  // Without a key prefix: catalog publishes the stream.
  const events = createRedis('my-list-content-events', { url: config.REDIS_URL, keyPrefix: '' }, logger);
  try {
    await connectRedis(redis);
    const { app, models, myList, catalog } = await createServer({ config, mongo, redis, logger });
    await ensureIndexes([models.items]);
    const server = await app.listen(config.HOST, config.PORT);
    const deletions = contentDeletedConsumer(events, config.contentDeletedStream, { myList, catalog }, logger);
    deletions.start();
    return {
      ...server,
      close: async () => {
        await server.close();
        await deletions.stop();
        await mongo.close();
        redis.disconnect();
      },
    };
  } catch (error) {
    await mongo.close();
    redis.disconnect();
    events.disconnect();
    throw error;
  }
}

if (require.main === module) runService('my-list', start);
