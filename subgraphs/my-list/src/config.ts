import { eventStreamEnv, eventStreams } from '@ott/events';
import { baseEnv, loadConfig, mongoEnv, port, redisEnv, tokenConfig } from '@ott/kit';
import { z } from 'zod';

const env = {
  ...baseEnv,
  ...mongoEnv('ott_mylist'),
  ...redisEnv,
  ...eventStreamEnv,
  PORT: port(4003),
  CATALOG_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:4002/graphql'),
  MYLIST_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  /** How long "this content exists" answers from catalog are reused; a content-deleted event forgets them all. */
  CONTENT_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
};

export function myListConfig(source: NodeJS.ProcessEnv) {
  const config = loadConfig(env, source);
  return {
    ...config,
    tokens: tokenConfig(config),
    production: config.NODE_ENV === 'production',
    ...eventStreams(config),
  };
}

export type MyListConfig = ReturnType<typeof myListConfig>;
