import { baseEnv, loadConfig, mongoEnv, port, redisEnv, tokenConfig } from '@ott/kit';
import { z } from 'zod';

const env = {
  ...baseEnv,
  ...mongoEnv('ott_catalog'),
  ...redisEnv,
  PORT: port(4002),
  CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  /** The ratings subgraph's stream of per-title sums and counts; the same setting as there. */
  RATING_EVENTS_STREAM: z.string().min(1).optional(),
  /**
   * Where catalog announces each removed title ({contentId}) to the subgraphs that hold
   * references to titles (my-list, ratings). Defaults to `<REDIS_KEY_PREFIX>events:content-deleted`;
   * they read the same setting, so all must agree.
   */
  CONTENT_DELETED_STREAM: z.string().min(1).optional(),
};

export function catalogConfig(source: NodeJS.ProcessEnv) {
  const config = loadConfig(env, source);
  return {
    ...config,
    tokens: tokenConfig(config),
    production: config.NODE_ENV === 'production',
    ratingEventsStream: config.RATING_EVENTS_STREAM ?? `${config.REDIS_KEY_PREFIX}events:rating-summaries`,
    contentDeletedStream: config.CONTENT_DELETED_STREAM ?? `${config.REDIS_KEY_PREFIX}events:content-deleted`,
  };
}

export type CatalogConfig = ReturnType<typeof catalogConfig>;
