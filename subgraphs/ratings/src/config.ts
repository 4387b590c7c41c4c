import { baseEnv, boolean, loadConfig, mongoEnv, port, redisEnv, tokenConfig } from '@ott/kit';
import { z } from 'zod';

const env = {
  ...baseEnv,
  ...mongoEnv('ott_ratings'),
  ...redisEnv,
  PORT: port(4004),
  CATALOG_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:4002/graphql'),
  /** How long "this content exists" answers from catalog are reused. */
  CONTENT_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  /**
   * The Redis Stream that carries each title's new rating sum and count to catalog (for its
   * RATING_DESC sort). Defaults to `<REDIS_KEY_PREFIX>events:rating-summaries`; catalog
   * reads the same setting, so both must agree.
   */
  RATING_EVENTS_STREAM: z.string().min(1).optional(),
  /** catalog's stream of removed titles; the same setting as there. */
  CONTENT_DELETED_STREAM: z.string().min(1).optional(),
  /** Emits the driver's command events (tests count them to prove batching). */
  MONGODB_MONITOR_COMMANDS: boolean(false),
};

export function ratingsConfig(source: NodeJS.ProcessEnv) {
  const config = loadConfig(env, source);
  return {
    ...config,
    tokens: tokenConfig(config),
    production: config.NODE_ENV === 'production',
    ratingEventsStream: config.RATING_EVENTS_STREAM ?? `${config.REDIS_KEY_PREFIX}events:rating-summaries`,
    contentDeletedStream: config.CONTENT_DELETED_STREAM ?? `${config.REDIS_KEY_PREFIX}events:content-deleted`,
  };
}

export type RatingsConfig = ReturnType<typeof ratingsConfig>;
