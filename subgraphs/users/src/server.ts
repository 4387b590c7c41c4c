import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import { createGraphQLApp, EntityClient, pingMongo, RateLimiter, VersionedCache, type Logger } from '@ott/kit';
import type { UsersConfig } from './config';
import { contextFactory } from './context';
import { buildSchema } from './schema';
import { createRefreshTokenModel } from './session/refresh-token.model';
import { SessionService } from './session/session.service';
import { createUserModel } from './user/user.model';
import { UserService } from './user/user.service';

export interface UsersDeps {
  config: UsersConfig;
  mongo: Connection;
  redis: Redis;
  logger: Logger;
}

export function createModels(mongo: Connection) {
  return { users: createUserModel(mongo), refreshTokens: createRefreshTokenModel(mongo) };
}

/** Schema, services and HTTP app of the users subgraph, without listening. */
export async function createServer({ config, mongo, redis, logger }: UsersDeps) {
  const models = createModels(mongo);
  const genres = new EntityClient(
    { url: config.CATALOG_URL, typename: 'Genre', sharedSecret: config.SUBGRAPH_SHARED_SECRET },
    logger,
    new VersionedCache(redis, logger, { namespace: 'catalog-entities', ttlSeconds: 600 }),
  );
  const users = new UserService(models.users, genres, logger);
  const sessions = new SessionService(
    models.refreshTokens,
    users,
    {
      tokens: config.tokens,
      accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL_DAYS * 86_400,
    },
    new RateLimiter(redis, logger, {
      namespace: 'login-failures',
      limit: config.LOGIN_MAX_FAILURES,
      windowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS,
    }),
    logger,
  );
  const app = createGraphQLApp({
    name: 'users',
    logger,
    production: config.production,
    dbConcurrencyPerRequest: config.DB_CONCURRENCY_PER_REQUEST,
    sharedSecret: config.SUBGRAPH_SHARED_SECRET,
    drainSeconds: config.SHUTDOWN_DRAIN_SECONDS,
    apollo: { schema: await buildSchema() },
    context: contextFactory({ users, sessions }, config.tokens, logger),
    readiness: { mongodb: () => pingMongo(mongo), redis: () => redis.ping() },
  });
  return { app, models, users, sessions };
}
