import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { parse, print } from 'graphql';
import { inject } from 'vitest';
import { signAccessToken, type AuthUser } from '../auth';
import { generateTokenKeyPair, signingTokenConfig } from '../token-keys';

/** Drawn per test process: no key that signs tokens is written in the source, not even a test one. */
export const TEST_TOKEN_KEYS = generateTokenKeyPair();

/** Users' token settings under test (usersTestEnv's JWT_PRIVATE_KEYS, default issuer and audience): they sign as users does. */
export const TEST_TOKENS = signingTokenConfig({
  NODE_ENV: 'test',
  JWT_PRIVATE_KEYS: TEST_TOKEN_KEYS.privateKey,
  JWT_ISSUER: 'ott-users',
  JWT_AUDIENCE: 'ott-supergraph',
});

/** An access token as users would issue it, for tests that need a caller but not an account. */
export const testAccessToken = (user: AuthUser, ttlSeconds = 600) => signAccessToken(user, TEST_TOKENS, ttlSeconds);

/** A short random tag that keeps one test file's databases and keys apart from the others'. */
export const uniqueTag = (label: string) => `${label.replace(/[^a-z0-9]/gi, '').slice(0, 12)}_${randomBytes(4).toString('hex')}`;

/**
 * Environment for a service under test: real infrastructure, own database and key prefix, port 0,
 * and the test public key (JWT_PUBLIC_KEYS). Users, which signs, takes `usersTestEnv`.
 */
export function testEnv(tag: string, overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    // A free port too: PORT + 5090 (its default) would follow a fixed PORT given later (a restart on the same port).
    METRICS_PORT: '0',
    MONGODB_URL: inject('mongoUrl'),
    MONGODB_DB: `t_${tag}`,
    REDIS_URL: inject('redisUrl'),
    REDIS_KEY_PREFIX: `t:${tag}:`,
    JWT_PUBLIC_KEYS: TEST_TOKEN_KEYS.publicKey,
    ...overrides,
  };
}

/** The run's Redis Cluster as REDIS_CLUSTER_NODES lists it; undefined when there is none (its tests skip). */
export function clusterNodes(): string[] | undefined {
  const nodes = inject('redisClusterNodes');
  return nodes ? nodes.split(',') : undefined;
}

/** testEnv with the test private key too: for the users service only (any other refuses to start with it). */
export const usersTestEnv = (tag: string, overrides: NodeJS.ProcessEnv = {}) => testEnv(tag, { JWT_PRIVATE_KEYS: TEST_TOKEN_KEYS.privateKey, ...overrides });

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; [key: string]: unknown } }[];
}

export interface RequestOptions {
  token?: string;
  headers?: Record<string, string>;
}

/** A real HTTP POST to a GraphQL endpoint, as any client would send it. */
export async function graphql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  options: RequestOptions = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResponse<T>, 'status' | 'headers'>;
  return { status: response.status, headers: response.headers, ...body };
}

/** The error codes of a response, in order, for compact assertions. */
export const errorCodes = (response: GraphQLResponse<unknown>) => (response.errors ?? []).map((e) => e.extensions?.code);

/** A private embedded database of the test's own, for tests that stop and restart it (same port, same data). */
export async function startPrivateMongo(dataDir?: string, port?: number) {
  const { startEmbeddedMongo } = await import('../../../../tools/stack/services.mjs');
  const dir = dataDir ?? `${inject('testDataDir')}/mongo-${randomBytes(4).toString('hex')}`;
  const mongo = await startEmbeddedMongo({ dataDir: dir, port });
  return { ...mongo, dataDir: dir, port: Number(new URL(mongo.url).port) };
}

/** A private redis-server of the test's own, for tests that stop and restart Redis. */
export async function startPrivateRedis(port?: number) {
  const { startRedis } = await import('../../../../tools/stack/services.mjs');
  return startRedis({ dataDir: `${inject('testDataDir')}/redis-${randomBytes(4).toString('hex')}`, port });
}

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

/** A log destination whose lines the test can read, parsed. */
export function logCapture() {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { destination, lines, messages: (msg: string) => lines.filter((line) => line.msg === msg) };
}

/** A type's directives in a subgraph's SDL, printed (`@key(fields: "id")`), whatever the SDL's layout. */
export function typeDirectives(sdl: string, typeName: string): string[] {
  const definition = parse(sdl).definitions.find((node) => 'name' in node && node.name?.value === typeName && 'directives' in node);
  if (!definition || !('directives' in definition)) throw new Error(`no type ${typeName} in the SDL`);
  return (definition.directives ?? []).map((directive) => print(directive));
}

/** Resolves once `check()` holds, polling every 10 ms; rejects, naming `what`, after `timeoutMs`. */
export function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const deadline = Date.now() + timeoutMs;
    const poll = () => {
      if (check()) return resolvePromise();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 10);
    };
    poll();
  });
}
