import { dirname, join, resolve } from 'node:path';
import { baseEnv, loadConfig, port, redisEnv, tokenConfig, trustProxyEnv } from '@ott/kit';
import { z } from 'zod';
import { SUBGRAPHS } from './subgraphs';

const url = z.url({ protocol: /^https?$/ }).optional();

const env = {
  ...baseEnv,
  PORT: port(4000),
  SUPERGRAPH_PATH: z.string().default(resolve(__dirname, '../../schema/supergraph.graphql')),
  // Limits on every operation, over HTTP and WebSocket alike (README "Configuration").
  MAX_QUERY_DEPTH: z.coerce.number().int().min(2).max(50).default(12),
  MAX_QUERY_ALIASES: z.coerce.number().int().min(0).max(1_000).default(20),
  MAX_QUERY_DIRECTIVES: z.coerce.number().int().min(0).max(1_000).default(20),
  MAX_QUERY_TOKENS: z.coerce.number().int().min(100).max(100_000).default(5_000),
  MAX_QUERY_COST: z.coerce.number().int().min(10).max(10_000_000).default(5_000),
  /** The most a request may take at the gateway; subgraph calls get what is left of it. */
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** The most one subgraph call may take. */
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(50).max(120_000).default(5_000),
  /**
   * The longest the gateway keeps an answer every subgraph declared public (@cacheControl) and
   * answers the same operation from it; 0 keeps nothing. Clients are told the same bound.
   */
  RESPONSE_CACHE_MAX_AGE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
  /** The load balancers in front of the gateway, if any: they name the client in X-Forwarded-For. */
  ...trustProxyEnv,
  /** The request budget: per signed-in member, and per client address for everyone else. */
  GATEWAY_REQUESTS_PER_MINUTE_MEMBER: z.coerce.number().int().min(1).max(1_000_000_000).default(600),
  GATEWAY_REQUESTS_PER_MINUTE_ANONYMOUS: z.coerce.number().int().min(1).max(1_000_000_000).default(300),
  /** What one client (member, or address) may run at once at this gateway, over HTTP and WebSocket together. */
  GATEWAY_CONCURRENT_OPERATIONS_PER_CLIENT: z.coerce.number().int().min(1).max(1_000_000_000).default(20),
  GATEWAY_CONCURRENT_COST_PER_CLIENT: z.coerce.number().int().min(1).max(1_000_000_000).default(25_000),
  /** Where streaming publishes playback changes (the same Redis and key prefix), and the budget's counters. */
  ...redisEnv,
  SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().min(1).max(1_000).default(20),
  WS_CONNECTIONS_PER_MEMBER: z.coerce.number().int().min(1).max(1_000).default(10),
  /** Updates queued for a subscriber that reads too slowly before its socket is closed (1013). */
  SUBSCRIPTION_BUFFER_EVENTS: z.coerce.number().int().min(1).max(10_000).default(100),
  WS_KEEPALIVE_SECONDS: z.coerce.number().min(1).max(300).default(12),
  /**
   * Trusted documents (gateway/src/trusted-documents.ts): `off`, `allow` (the manifest's documents
   * run by id, anything else too) or `require` (nothing but the manifest's documents).
   */
  GATEWAY_TRUSTED_DOCUMENTS: z.enum(['off', 'allow', 'require']).default('allow'),
  /** The manifest codegen writes; by default client/persisted-documents.json beside the supergraph. */
  GATEWAY_TRUSTED_DOCUMENTS_PATH: z.string().min(1).optional(),
  ...Object.fromEntries(SUBGRAPHS.map((s) => [s.urlVariable, url])),
};

export function gatewayConfig(source: NodeJS.ProcessEnv) {
  const config = loadConfig(env, source);
  const subgraphUrls: Record<string, string | undefined> = Object.fromEntries(
    SUBGRAPHS.map((s) => [s.name, (config as Record<string, unknown>)[s.urlVariable] as string | undefined]),
  );
  const limits = {
    maxDepth: config.MAX_QUERY_DEPTH,
    maxAliases: config.MAX_QUERY_ALIASES,
    maxDirectives: config.MAX_QUERY_DIRECTIVES,
    maxTokens: config.MAX_QUERY_TOKENS,
    maxCost: config.MAX_QUERY_COST,
  };
  const trustedDocumentsPath = config.GATEWAY_TRUSTED_DOCUMENTS_PATH ?? join(dirname(config.SUPERGRAPH_PATH), 'client/persisted-documents.json');
  return { ...config, trustedDocumentsPath, tokens: tokenConfig(config), production: config.NODE_ENV === 'production', subgraphUrls, limits };
}

export type GatewayConfig = ReturnType<typeof gatewayConfig>;
