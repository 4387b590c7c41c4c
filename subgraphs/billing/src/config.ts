import { eventStreamEnv, eventStreams } from '@ott/events';
import { baseEnv, loadConfig, mongoEnv, port, redisEnv, tokenConfig } from '@ott/kit';
import { z } from 'zod';

const env = {
  ...baseEnv,
  ...mongoEnv('ott_billing'),
  ...redisEnv,
  ...eventStreamEnv,
  PORT: port(4006),
  // Only the built-in test-mode processor exists today; a real one is one more class and one more value.
  PAYMENT_PROVIDER: z.enum(['test']).default('test'),
  ENTITLEMENTS_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  /** How often the recovery worker looks for operations left pending past their lease. */
  OPERATION_RECOVERY_INTERVAL_SECONDS: z.coerce.number().min(0.05).max(3_600).default(10),
  /** Failed attempts at finishing an operation before the worker refunds its charge and fails it. */
  OPERATION_RECOVERY_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
};

export function billingConfig(source: NodeJS.ProcessEnv) {
  const config = loadConfig(env, source);
  return { ...config, tokens: tokenConfig(config), production: config.NODE_ENV === 'production', ...eventStreams(config) };
}

export type BillingConfig = ReturnType<typeof billingConfig>;
