import { z } from 'zod';
import { streamConsumerName, type StreamConsumerSettings } from './streams';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Settings every service reads. Token keys have no default written in the source (anybody who
 * read one could sign an ADMIN token): production requires them (token-keys.ts), `npm start`
 * draws a key pair once and keeps it in .data/dev/ for the services it starts, tests draw their own.
 */
export const baseEnv = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Verifiers (the gateway, every subgraph but users): the PEM public keys tokens may be signed by. */
  JWT_PUBLIC_KEYS: z.string().optional(),
  /** Users only (any other service refuses to start with it): PEM private keys, newest first; it signs with the first. */
  JWT_PRIVATE_KEYS: z.string().optional(),
  JWT_ISSUER: z.string().min(1).default('ott-users'),
  JWT_AUDIENCE: z.string().min(1).default('ott-supergraph'),
  /**
   * When set, subgraphs answer only callers that send it (the gateway, and subgraphs calling
   * each other): a subgraph reached directly is refused with FORBIDDEN.
   */
  SUBGRAPH_SHARED_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /**
   * On SIGTERM, how long readiness answers 503 before the server stops taking requests, so
   * load balancers stop sending new ones first (default: 5 in production, 0 elsewhere).
   */
  SHUTDOWN_DRAIN_SECONDS: z.coerce.number().min(0).max(120).optional(),
  /**
   * Where GET /metrics is served: a listener of its own, never the public port. Loopback by
   * default, as Apollo Router's :9090; a deployment whose Prometheus scrapes over the network
   * sets its private interface (0.0.0.0 inside a container) and publishes no port for it.
   */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Default: PORT + 5090 (gateway 9090, users 9091 … billing 9096); 0 picks a free port, as PORT does. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
};

/** What METRICS_PORT defaults to beside PORT: the gateway's 4000 gives Apollo Router's 9090. */
const METRICS_PORT_OFFSET = 5090;

/** The metrics listener's address: METRICS_HOST and METRICS_PORT, or PORT + 5090 (a free port when PORT is 0). */
export function metricsListener(config: { PORT: number; METRICS_HOST: string; METRICS_PORT?: number }): { host: string; port: number } {
  if (config.METRICS_PORT !== undefined) return { host: config.METRICS_HOST, port: config.METRICS_PORT };
  if (config.PORT === 0) return { host: config.METRICS_HOST, port: 0 };
  const port = config.PORT + METRICS_PORT_OFFSET;
  if (port > 65_535) throw new ConfigError(`Invalid configuration:\n  METRICS_PORT: PORT + ${METRICS_PORT_OFFSET} is no port; set METRICS_PORT`);
  return { host: config.METRICS_HOST, port };
}

/** The header that carries SUBGRAPH_SHARED_SECRET from the gateway (and from subgraphs calling each other). */
export const SUBGRAPH_SECRET_HEADER = 'x-subgraph-secret';

export const mongoEnv = (defaultDb: string) => ({
  MONGODB_URL: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URL')
    .default('mongodb://127.0.0.1:27017'),
  MONGODB_DB: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,63}$/, 'must be a plain database name')
    .default(defaultDb),
  /** Database operations one request may run at once; the pool holds 20 for everyone. */
  DB_CONCURRENCY_PER_REQUEST: z.coerce.number().int().min(1).max(100).default(4),
});

/** `host:port` with a host name, an IPv4 address or a bracketed IPv6 one, and a port 1–65535. */
const CLUSTER_NODE = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/;

export const redisEnv = {
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .default('redis://127.0.0.1:6379'),
  /**
   * Seed nodes of a Redis Cluster (`host:port,…`): set, every client is a cluster client and
   * REDIS_URL gives only its credentials and TLS (rediss://). See redis.ts.
   */
  REDIS_CLUSTER_NODES: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      const nodes = value.split(',').map((node) => node.trim());
      const bad = nodes.filter((node) => {
        const port = Number(CLUSTER_NODE.exec(node)?.[1] ?? 0);
        return port < 1 || port > 65_535;
      });
      if (bad.length > 0)
        ctx.addIssue({ code: 'custom', message: `must be host:port[,host:port…]; not a node: ${bad.map((node) => JSON.stringify(node)).join(', ')}` });
      else if (new Set(nodes).size < nodes.length) ctx.addIssue({ code: 'custom', message: 'names a node twice' });
      return nodes;
    }),
  // On a cluster, a brace in the prefix would become every key's hash tag: one slot for everything.
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[^{}]*$/, 'must not contain { or } (hash tags are chosen per key: docs/architecture.md)')
    .default('ott:'),
  /** How long a Redis command may wait for its reply; then it fails and its use fails open or closed. */
  REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(500),
};

/**
 * How this process reads event streams, whatever the streams (their names are each contract's,
 * `@ott/events`): every consumer of the process shares these.
 */
export const streamConsumerEnv = {
  /**
   * This process's name in every consumer group it reads; default `<host>-<pid>-<random>`.
   * Set it only where each live process gets its own (see `streamConsumerName`).
   */
  STREAM_CONSUMER_NAME: z
    .string()
    .regex(/^[\w.:-]{1,128}$/, 'must be 1 to 128 letters, digits or . : _ -')
    .optional(),
  /**
   * Entries pending this long (a killed consumer's, or ones whose handler failed) are claimed
   * and handled again; longer than any handler runs, short enough that a replaced pod's events
   * are not kept waiting.
   */
  STREAM_CLAIM_IDLE_MS: z.coerce.number().int().min(10).max(86_400_000).default(60_000),
  /** Deliveries after which an entry whose handler keeps failing is logged and acknowledged: with 60 s claims, ~10 minutes of failures. */
  STREAM_MAX_DELIVERIES: z.coerce.number().int().min(1).max(1_000).default(10),
  /** Consumers of a group with nothing pending and idle this long are removed (0: never); a live one is never idle more than seconds. */
  STREAM_DEAD_CONSUMER_MS: z.coerce.number().int().min(0).default(3_600_000),
};

/** Drawn once per start: every consumer of this process shares the name (groups are per stream). */
export function streamConsumerSettings(config: {
  STREAM_CONSUMER_NAME?: string;
  STREAM_CLAIM_IDLE_MS: number;
  STREAM_MAX_DELIVERIES: number;
  STREAM_DEAD_CONSUMER_MS: number;
}): StreamConsumerSettings {
  return {
    name: streamConsumerName(config.STREAM_CONSUMER_NAME),
    claimIdleMs: config.STREAM_CLAIM_IDLE_MS,
    maxDeliveries: config.STREAM_MAX_DELIVERIES,
    deadConsumerMs: config.STREAM_DEAD_CONSUMER_MS,
  };
}

export const port = (defaultPort: number) => z.coerce.number().int().min(0).max(65535).default(defaultPort);

export const boolean = (defaultValue: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(defaultValue ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

/** Parses and validates env once; a bad value throws a ConfigError naming the variable. */
export function loadConfig<S extends z.ZodRawShape>(shape: S, env: NodeJS.ProcessEnv): z.infer<z.ZodObject<S>> {
  const result = z.object(shape).safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return result.data;
}
