import { baseEnv, loadConfig, mongoEnv, port, redisEnv, tokenConfig } from '@ott/kit';
import { z } from 'zod';

const env = {
  ...baseEnv,
  ...mongoEnv('ott_users'),
  ...redisEnv,
  PORT: port(4001),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(3600).default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(10),
  LOGIN_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  CATALOG_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:4002/graphql'),
  ADMIN_EMAIL: z.string().optional(),
  ADMIN_PASSWORD: z.string().optional(),
};

export function usersConfig(source: NodeJS.ProcessEnv) {
  const config = loadConfig(env, source);
  return { ...config, tokens: tokenConfig(config), production: config.NODE_ENV === 'production' };
}

export type UsersConfig = ReturnType<typeof usersConfig>;
