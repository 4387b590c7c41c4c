import './tracing';
import 'reflect-metadata';
import { createLogger, ensureIndexes, openMongo, openRedis, redisConnection, runService, startService, watchTokenStamps, type Service } from '@ott/kit';
import { catalogKeyPrefix } from './catalog.cache';
import { catalogConfig } from './config';
import { ratingSummaryConsumer } from './content/rating-summary.consumer';
import { indexedModels } from './models';
import { createServer } from './server';

/** config → connections → serve; the only place that connects and listens. */
export async function start(env: NodeJS.ProcessEnv): Promise<Service> {
  const config = catalogConfig(env);
  const logger = createLogger('catalog', config.LOG_LEVEL);
  return startService(async (resources) => {
    // Every token verified here is checked against its member's "valid after" stamp.
    await watchTokenStamps(resources, config, logger);
    const mongo = await openMongo(resources, config, logger);
    const redis = await openRedis(resources, 'catalog', { ...redisConnection(config), keyPrefix: catalogKeyPrefix(config.REDIS_KEY_PREFIX) }, logger);
    // Without a key prefix: the streams are shared with the ratings and my-list subgraphs.
    const events = await openRedis(resources, 'catalog-events', { ...redisConnection(config), keyPrefix: '' }, logger);
    // A connection of its own: reading the rating stream blocks it.
    const ratingEvents = await openRedis(resources, 'catalog-rating-events', { ...redisConnection(config), keyPrefix: '' }, logger);
    // A connection of its own: following the catalogue's version takes it over.
    const versionFeed = await openRedis(resources, 'catalog-version-feed', { ...redisConnection(config), keyPrefix: '' }, logger);
    const { app, models, contents, catalogue } = await createServer({ config, mongo, redis, events, versionFeed, logger });
    await ensureIndexes(indexedModels(models));
    // Before the first request: every catalogue read is then answered from memory, cold or not.
    await resources.add(catalogue, (c) => c.stop()).start();
    const announced = await contents.announcePendingDeletions();
    if (announced > 0) logger.info({ announced }, 'announced removed titles whose event had been lost');
    // A removal Redis refused stays unannounced in the database: announce it as soon as the
    // events connection is back (ioredis is ready again after every reconnection), not only at
    // the next start, so consumers catch up when Redis returns.
    events.on('ready', () => {
      contents.announcePendingDeletions().then(
        (again) => void (again > 0 && logger.info({ announced: again }, 'announced removed titles whose event had been lost')),
        (err: unknown) =>
          logger.warn({ err: { message: (err as Error).message } }, 'could not look for removals to announce again: the next reconnection or start retries'),
      );
    });
    const server = await app.listen(config.HOST, config.PORT);
    resources.add(ratingSummaryConsumer(ratingEvents, config.ratingEventsStream, config.streamConsumer, contents, logger), (c) => c.stop()).start();
    return server;
  });
}

if (require.main === module) runService('catalog', start);
