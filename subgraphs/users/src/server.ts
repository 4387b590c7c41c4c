import type { Connection } from 'mongoose';
import { createGraphQLApp, EntityClient, pingMongo, RateLimits, subgraphAppSettings, VersionedCache, type Logger, type RedisClient } from '@ott/kit';
import { UsersErrorCode } from './errors';
import type { UsersConfig } from './config';
import { contextFactory } from './context';
import { buildSchema } from './schema';
import { createRefreshTokenModel } from './session/refresh-token.model';
import { SessionService } from './session/session.service';
import { TokenRevocation } from './session/token-revocation';
import { createUserModel } from './user/user.model';
import { UserService } from './user/user.service';

export interface UsersDeps {
  config: UsersConfig;
  mongo: Connection;
  redis: RedisClient;
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
  const limits = new RateLimits(redis, logger);
  const registrations = limits.define({ name: 'registrations-ip', points: config.REGISTRATIONS_PER_IP, windowSeconds: config.REGISTRATION_WINDOW_SECONDS });
  const revocation = new TokenRevocation(models.users, config.tokens.stamps, config.ACCESS_TOKEN_TTL_SECONDS, logger);
  const users = new UserService(models.users, genres, registrations, logger, revocation);
  const sessions = new SessionService(
    models.refreshTokens,
    users,
    {
      tokens: config.tokens,
      accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL_DAYS * 86_400,
    },
    {
      accountAndAddress: limits.define({
        name: 'login-account-ip',
        points: config.LOGIN_FAILURES_PER_ACCOUNT_AND_IP,
        windowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS,
      }),
      account: limits.define({ name: 'login-account', points: config.LOGIN_FAILURES_PER_ACCOUNT, windowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS }),
      address: limits.define({ name: 'login-ip', points: config.LOGIN_FAILURES_PER_IP, windowSeconds: config.LOGIN_IP_FAILURE_WINDOW_SECONDS }),
    },
    logger,
    revocation,
  );
  const app = createGraphQLApp({
    name: 'users',
    logger,
    ...subgraphAppSettings(config),
    errorCodes: Object.values(UsersErrorCode),
    apollo: { schema: await buildSchema() },
    context: contextFactory({ users, sessions }, config.tokens, logger),
    trustProxy: config.TRUST_PROXY,
    readiness: { mongodb: () => pingMongo(mongo), redis: () => redis.ping() },
  });
  return { app, models, users, sessions, revocation };
}
