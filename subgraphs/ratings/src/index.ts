import './tracing';
import 'reflect-metadata';
import type { Connection } from 'mongoose';
import { createLogger, ensureIndexes, openMongo, openRedis, redisConnection, runService, startService, watchTokenStamps, type Service } from '@ott/kit';
import { ratingsConfig } from './config';
import { contentDeletedConsumer } from './content/content-deleted.consumer';
import { createServer } from './server';

export interface RatingsService extends Service {
  /** The service's own connection: tests count its commands (MONGODB_MONITOR_COMMANDS). */
  mongo: Connection;
}

/** config → connections → serve; the only place that connects and listens. */
export async function start(env: NodeJS.ProcessEnv): Promise<RatingsService> {
  const config = ratingsConfig(env);
  const logger = createLogger('ratings', config.LOG_LEVEL);
  return startService(async (resources) => {
    // Every token verified here is checked against its member's "valid after" stamp.
    await watchTokenStamps(resources, config, logger);
    const mongo = await openMongo(resources, config, logger, { monitorCommands: config.MONGODB_MONITOR_COMMANDS });
    const redis = await openRedis(resources, 'ratings', { ...redisConnection(config), keyPrefix: `${config.REDIS_KEY_PREFIX}ratings:` }, logger);
    // Without a key prefix: the streams are shared with the catalog subgraph.
    const events = await openRedis(resources, 'ratings-events', { ...redisConnection(config), keyPrefix: '' }, logger);
    // A connection of its own: reading the content-deleted stream blocks it.
    const deletionEvents = await openRedis(resources, 'ratings-content-events', { ...redisConnection(config), keyPrefix: '' }, logger);
    const { app, models, locks, catalog } = await createServer({ config, mongo, redis, events, logger });
    await ensureIndexes([models.ratings, models.summaries]);
    // A lease left by a process that died mid-write: repair those titles before serving.
    for (const contentId of await locks.abandoned()) await locks.run(contentId, async () => undefined);
    const server = await app.listen(config.HOST, config.PORT);
    resources.add(contentDeletedConsumer(deletionEvents, config.contentDeletedStream, config.streamConsumer, catalog, logger), (c) => c.stop()).start();
    return { ...server, mongo };
  });
}

if (require.main === module) runService('ratings', start);
