import { eventStreamEnv, eventStreams } from '@ott/events';
import { baseEnv, boolean, loadConfig, mongoEnv, port, redisEnv, tokenConfig } from '@ott/kit';
import { z } from 'zod';

const env = {
  ...baseEnv,
  ...mongoEnv('ott_ratings'),
  ...redisEnv,
  ...eventStreamEnv,
  PORT: port(4004),
  CATALOG_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:4002/graphql'),
  /** How long "this content exists" answers from catalog are reused. */
  CONTENT_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  /** Emits the driver's command events (tests count them to prove batching). */
  MONGODB_MONITOR_COMMANDS: boolean(false),
};

export function ratingsConfig(source: NodeJS.ProcessEnv) {
  const config = loadConfig(env, source);
  return {
    ...config,
    tokens: tokenConfig(config),
    production: config.NODE_ENV === 'production',
    ...eventStreams(config),
  };
}

export type RatingsConfig = ReturnType<typeof ratingsConfig>;
