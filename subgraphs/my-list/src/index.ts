import './tracing';
import 'reflect-metadata';
import { createLogger, ensureIndexes, openMongo, openRedis, redisConnection, runService, startService, watchTokenStamps, type Service } from '@ott/kit';
import { myListConfig } from './config';
import { contentDeletedConsumer } from './content/content-deleted.consumer';
import { createServer } from './server';

/** config → connections → serve; the only place that connects and listens. */
export async function start(env: NodeJS.ProcessEnv): Promise<Service> {
  const config = myListConfig(env);
  const logger = createLogger('my-list', config.LOG_LEVEL);
  return startService(async (resources) => {
    // Every token verified here is checked against its member's "valid after" stamp.
    await watchTokenStamps(resources, config, logger);
    const mongo = await openMongo(resources, config, logger);
    const redis = await openRedis(resources, 'my-list', { ...redisConnection(config), keyPrefix: `${config.REDIS_KEY_PREFIX}mylist:` }, logger);
    // Without a key prefix: catalog publishes the stream. A connection of its own: reading blocks it.
    const events = await openRedis(resources, 'my-list-content-events', { ...redisConnection(config), keyPrefix: '' }, logger);
    const { app, models, myList, catalog } = await createServer({ config, mongo, redis, logger });
    await ensureIndexes([models.items]);
    const server = await app.listen(config.HOST, config.PORT);
    resources.add(contentDeletedConsumer(events, config.contentDeletedStream, config.streamConsumer, { myList, catalog }, logger), (c) => c.stop()).start();
    return server;
  });
}

if (require.main === module) runService('my-list', start);
