import 'reflect-metadata';
import type { Connection } from 'mongoose';
import { connectMongo, connectRedis, createLogger, createRedis, ensureIndexes, runService, type Service } from '@ott/kit';
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
  const mongo = await connectMongo(config.MONGODB_URL, config.MONGODB_DB, logger, { monitorCommands: config.MONGODB_MONITOR_COMMANDS });
  const redis = createRedis('ratings', { url: config.REDIS_URL, keyPrefix: `${config.REDIS_KEY_PREFIX}ratings:` }, logger);
  const events = createRedis('ratings-events', { url: config.REDIS_URL, keyPrefix: '' }, logger);
  // A connection of its own: reading the content-deleted stream blocks it.
  const deletionEvents = createRedis('ratings-content-events', { url: config.REDIS_URL, keyPrefix: '' }, logger);
  const disconnect = async () => {
    await mongo.close();
    redis.disconnect();
    events.disconnect();
    deletionEvents.disconnect();
  };
  try {
    await connectRedis(redis);
    await connectRedis(events);
    const { app, models, locks, catalog } = await createServer({ config, mongo, redis, events, logger });
    await ensureIndexes([models.ratings, models.summaries, models.locks]);
    // A lease left by a process that died mid-write: repair those titles before serving.
    for (const contentId of await locks.abandoned()) await locks.run(contentId, async () => undefined);
    const server = await app.listen(config.HOST, config.PORT);
    const deletions = contentDeletedConsumer(deletionEvents, config.contentDeletedStream, catalog, logger);
    deletions.start();
    return {
      ...server,
      mongo,
      close: async () => {
        await server.close();
        await deletions.stop();
        await disconnect();
      },
    };
  } catch (error) {
    await disconnect();
    throw error;
  }
}

if (require.main === module) runService('ratings', start);
