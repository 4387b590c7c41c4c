import 'reflect-metadata';
import { connectMongo, createLogger, ensureIndexes, runService, type Service } from '@ott/kit';
import { usersConfig } from './config';
import { createServer } from './server';

/** config → connections → serve; the only place that connects and listens. */
export async function start(env: NodeJS.ProcessEnv): Promise<Service> {
  const config = usersConfig(env);
  const logger = createLogger('users', config.LOG_LEVEL);
  const mongo = await connectMongo(config.MONGODB_URL, config.MONGODB_DB, logger);
  try {
    const { app, models, users } = await createServer({ config, mongo, logger });
    await ensureIndexes([models.users, models.refreshTokens]);
    if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) await users.ensureAdmin(config.ADMIN_EMAIL, config.ADMIN_PASSWORD);
    const server = await app.listen(config.HOST, config.PORT);
    return {
      ...server,
      close: async () => {
        await server.close();
        await mongo.close();
      },
    };
  } catch (error) {
    await mongo.close();
    throw error;
  }
}

if (require.main === module) runService('users', start);
