import { eventStreamEnv, eventStreams } from '@ott/events';
import { baseEnv, ConfigError, loadConfig, mongoEnv, port, redisEnv, tokenConfig } from '@ott/kit';
import { z } from 'zod';

const DEV_PLAYBACK_URL_SECRET = 'local-development-playback-url-secret-not-for-production';

const seconds = (min: number, max: number, fallback: number) => z.coerce.number().min(min).max(max).default(fallback);

const env = {
  ...baseEnv,
  ...mongoEnv('ott_streaming'),
  ...redisEnv,
  ...eventStreamEnv,
  PORT: port(4005),
  CATALOG_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:4002/graphql'),
  BILLING_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:4006/graphql'),
  /** A session without a heartbeat for this long ends by itself and frees its stream. */
  PLAYBACK_TIMEOUT_SECONDS: seconds(1, 3_600, 90),
  /** How often the sweeper ends sessions that went quiet (slots are also freed lazily on every start). */
  PLAYBACK_SWEEP_INTERVAL_SECONDS: seconds(0.1, 3_600, 15),
  /** Signs playback URLs (HMAC-SHA256); required in production. */
  PLAYBACK_URL_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Where players fetch manifests; default: this service's own address. */
  PLAYBACK_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** How long a playback URL stays valid after it was handed out. */
  PLAYBACK_URL_TTL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(3_600),
  /** How long billing's answer about a member is reused; billing's events forget it sooner. */
  ENTITLEMENTS_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(3_600).default(30),
  /** How long catalog's answer about a title (kind, runtime, episodes) is reused; removals forget it at once. */
  CONTENT_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  /** How long the merged 7-day trending list is reused. */
  TRENDING_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(3_600).default(30),
};

export function streamingConfig(source: NodeJS.ProcessEnv) {
  const config = loadConfig(env, source);
  const production = config.NODE_ENV === 'production';
  if (production && !config.PLAYBACK_URL_SECRET) {
    throw new ConfigError('Invalid configuration:\n  PLAYBACK_URL_SECRET: is required in production');
  }
  return {
    ...config,
    tokens: tokenConfig(config),
    production,
    playbackUrlSecret: config.PLAYBACK_URL_SECRET ?? DEV_PLAYBACK_URL_SECRET,
    ...eventStreams(config),
  };
}

export type StreamingConfig = ReturnType<typeof streamingConfig>;
