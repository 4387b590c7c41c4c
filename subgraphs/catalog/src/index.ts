import 'reflect-metadata';
import { connectMongo, connectRedis, createLogger, createRedis, ensureIndexes, runService, type Service } from '@ott/kit';
import { catalogConfig } from './config';
import { ratingSummaryConsumer } from './content/rating-summary.consumer';
import { indexedModels } from './models';
import { createServer } from './server';

/** config → connections → serve; the only place that connects and listens. */
export async function start(env: NodeJS.ProcessEnv): Promise<Service> {
  const config = catalogConfig(env);
  const logger = createLogger('catalog', config.LOG_LEVEL);
  const mongo = await connectMongo(config.MONGODB_URL, config.MONGODB_DB, logger);
  const redis = createRedis('catalog', { url: config.REDIS_URL, keyPrefix: `${config.REDIS_KEY_PREFIX}catalog:` }, logger);
  // Without a key prefix: the streams are shared with the ratings and my-list subgraphs.
  const events = createRedis('catalog-events', { url: config.REDIS_URL, keyPrefix: '' }, logger);
  const ratingEvents = createRedis('catalog-rating-events', { url: config.REDIS_URL, keyPrefix: '' }, logger);
  const disconnect = async () => {
    redis.disconnect();
    events.disconnect();
    ratingEvents.disconnect();
    await mongo.close();
  };
  try {
    // The cache and the events fail open: without Redis the catalogue is served from the database.
    for (const client of [redis, events]) {
      await connectRedis(client).catch((err: unknown) => logger.warn({ err: { message: (err as Error).message } }, 'redis unavailable at start'));
    }
    const { app, models, contents } = await createServer({ config, mongo, redis, events, logger });
    await ensureIndexes(indexedModels(models));
    const announced = await contents.announcePendingDeletions();
    if (announced > 0) logger.info({ announced }, 'announced removed titles whose event had been lost');
    const server = await app.listen(config.HOST, config.PORT);
    const ratingSummaries = ratingSummaryConsumer(ratingEvents, config.ratingEventsStream, contents, logger);
    ratingSummaries.start();
    return {
      ...server,
      close: async () => {
        await server.close();
        await ratingSummaries.stop();
        await disconnect();
      },
    };
  } catch (error) {
    await disconnect();
    throw error;
  }
}

if (require.main === module) runService('catalog', start);
