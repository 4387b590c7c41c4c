import { resolve } from 'node:path';
import { baseEnv, loadConfig, port, tokenConfig } from '@ott/kit';
import { z } from 'zod';
import { SUBGRAPHS } from './subgraphs';

const url = z.url({ protocol: /^https?$/ }).optional();

const env = {
  ...baseEnv,
  PORT: port(4000),
  SUPERGRAPH_PATH: z.string().default(resolve(__dirname, '../../schema/supergraph.graphql')),
  MAX_QUERY_DEPTH: z.coerce.number().int().min(2).max(50).default(12),
  ...Object.fromEntries(SUBGRAPHS.map((s) => [s.urlVariable, url])),
};

export function gatewayConfig(source: NodeJS.ProcessEnv) {
  const config = loadConfig(env, source);
  const subgraphUrls: Record<string, string | undefined> = Object.fromEntries(
    SUBGRAPHS.map((s) => [s.name, (config as Record<string, unknown>)[s.urlVariable] as string | undefined]),
  );
  return { ...config, tokens: tokenConfig(config), production: config.NODE_ENV === 'production', subgraphUrls };
}

export type GatewayConfig = ReturnType<typeof gatewayConfig>;
