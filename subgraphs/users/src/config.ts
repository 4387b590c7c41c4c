import { baseEnv, loadConfig, mongoEnv, port, redisEnv, signingTokenConfig, trustProxyEnv } from '@ott/kit';
import { z } from 'zod';

const count = (defaultValue: number) => z.coerce.number().int().min(1).max(1_000_000).default(defaultValue);
const seconds = (defaultValue: number) => z.coerce.number().int().min(1).max(86_400).default(defaultValue);

const env = {
  ...baseEnv,
  ...mongoEnv('ott_users'),
  ...redisEnv,
  PORT: port(4001),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(3600).default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** Behind the gateway: name it, so the client address it forwards is believed. */
  ...trustProxyEnv,
  LOGIN_FAILURES_PER_ACCOUNT_AND_IP: count(10),
  LOGIN_FAILURES_PER_ACCOUNT: count(50),
  LOGIN_FAILURE_WINDOW_SECONDS: seconds(900),
  LOGIN_FAILURES_PER_IP: count(100),
  LOGIN_IP_FAILURE_WINDOW_SECONDS: seconds(3600),
  REGISTRATIONS_PER_IP: count(10),
  REGISTRATION_WINDOW_SECONDS: seconds(3600),
  CATALOG_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:4002/graphql'),
  ADMIN_EMAIL: z.string().optional(),
  ADMIN_PASSWORD: z.string().optional(),
};

export function usersConfig(source: NodeJS.ProcessEnv) {
  const config = loadConfig(env, source);
  return { ...config, tokens: signingTokenConfig(config), production: config.NODE_ENV === 'production' };
}

export type UsersConfig = ReturnType<typeof usersConfig>;
