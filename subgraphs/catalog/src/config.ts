import { eventStreamEnv, eventStreams } from '@ott/events';
import { baseEnv, loadConfig, mongoEnv, port, redisEnv, tokenConfig } from '@ott/kit';
import { z } from 'zod';

const env = {
  ...baseEnv,
  ...mongoEnv('ott_catalog'),
  ...redisEnv,
  ...eventStreamEnv,
  PORT: port(4002),
  CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  CATALOG_MEMORY_MAX_DOCUMENTS: z.coerce.number().int().min(0).max(1_000_000).default(50_000),
  /** With the version feed live, how often a process still reads the catalogue's version from the database. */
  CATALOG_VERSION_CHECK_MS: z.coerce.number().int().min(10).max(60_000).default(1_000),
};

export function catalogConfig(source: NodeJS.ProcessEnv) {
  const config = loadConfig(env, source);
  return {
    ...config,
    tokens: tokenConfig(config),
    production: config.NODE_ENV === 'production',
    ...eventStreams(config),
  };
}

export type CatalogConfig = ReturnType<typeof catalogConfig>;
