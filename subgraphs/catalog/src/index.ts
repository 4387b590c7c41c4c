import 'reflect-metadata';
import { createLogger, ensureIndexes, openMongo, openRedis, runService, startService, type Service } from '@ott/kit';
import { catalogConfig } from './config';
import { ratingSummaryConsumer } from './content/rating-summary.consumer';
import { indexedModels } from './models';
import { createServer } from './server';

/** config → connections → serve; the only place that connects and listens. */
export async function start(env: NodeJS.ProcessEnv): Promise<Service> {
  const config = catalogConfig(env);
  const logger = createLogger('catalog', config.LOG_LEVEL);
  return startService(async (resources) => {
    const mongo = await openMongo(resources, config, logger);
    const redis = await openRedis(resources, 'catalog', { url: config.REDIS_URL, keyPrefix: `${config.REDIS_KEY_PREFIX}catalog:` }, logger);
    // Without a key prefix: the streams are shared with the ratings and my-list subgraphs.
    const events = await openRedis(resources, 'catalog-events', { url: config.REDIS_URL, keyPrefix: '' }, logger);
    // A connection of its own: reading the rating stream blocks it.
    const ratingEvents = await openRedis(resources, 'catalog-rating-events', { url: config.REDIS_URL, keyPrefix: '' }, logger);
    const { app, models, contents } = await createServer({ config, mongo, redis, events, logger });
    await ensureIndexes(indexedModels(models));
    const announced = await contents.announcePendingDeletions();
    if (announced > 0) logger.info({ announced }, 'announced removed titles whose event had been lost');
    const server = await app.listen(config.HOST, config.PORT);
    resources.add(ratingSummaryConsumer(ratingEvents, config.ratingEventsStream, config.streamConsumer, contents, logger), (c) => c.stop()).start();
    return server;
  });
}

if (require.main === module) runService('catalog', start);
