import 'reflect-metadata';
import { connectMongo, connectRedis, createLogger, createRedis, ensureIndexes, runService, type Service } from '@ott/kit';
import { usersConfig } from './config';
import { createServer } from './server';

/** config → connections → serve; the only place that connects and listens. */
export async function start(env: NodeJS.ProcessEnv): Promise<Service> {
  const config = usersConfig(env);
  const logger = createLogger('users', config.LOG_LEVEL);
  const mongo = await connectMongo(config.MONGODB_URL, config.MONGODB_DB, logger);
  const redis = createRedis('users', { url: config.REDIS_URL, keyPrefix: `${config.REDIS_KEY_PREFIX}users:` }, logger);
  try {
    await connectRedis(redis);
    const { app, models, users } = await createServer({ config, mongo, redis, logger });
    await ensureIndexes([models.users, models.refreshTokens]);
    if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) await users.ensureAdmin(config.ADMIN_EMAIL, config.ADMIN_PASSWORD);
    const server = await app.listen(config.HOST, config.PORT);
    return {
      ...server,
      close: async () => {
        await server.close();
        await mongo.close();
        redis.disconnect();
      },
    };
  } catch (error) {
    await mongo.close();
    redis.disconnect();
    throw error;
  }
}

if (require.main === module) runService('users', start);
