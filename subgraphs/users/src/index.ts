import './tracing';
import 'reflect-metadata';
import {
  createLogger,
  ensureIndexes,
  openMongo,
  openRedis,
  redisConnection,
  runService,
  startService,
  watchTokenStamps,
  type LogDestination,
  type Service,
} from '@ott/kit';
import { usersConfig } from './config';
import { createServer } from './server';

/** config → connections → serve; the only place that connects and listens. Logs go to stdout unless given a destination. */
export async function start(env: NodeJS.ProcessEnv, logDestination?: LogDestination): Promise<Service> {
  const config = usersConfig(env);
  const logger = createLogger('users', config.LOG_LEVEL, logDestination);
  return startService(async (resources) => {
    // Every token verified here is checked against its member's "valid after" stamp.
    await watchTokenStamps(resources, config, logger);
    const mongo = await openMongo(resources, config, logger);
    const redis = await openRedis(resources, 'users', { ...redisConnection(config), keyPrefix: `${config.REDIS_KEY_PREFIX}users:` }, logger);
    const { app, models, users, revocation } = await createServer({ config, mongo, redis, logger });
    resources.add(revocation, (r) => r.close());
    await ensureIndexes([models.users, models.refreshTokens]);
    if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) await users.ensureAdmin(config.ADMIN_EMAIL, config.ADMIN_PASSWORD);
    await revocation.start();
    return app.listen(config.HOST, config.PORT);
  });
}

if (require.main === module) runService('users', start);
