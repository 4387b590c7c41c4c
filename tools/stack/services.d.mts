export const ROOT: string;
export interface Running {
  url: string;
  pid: number;
  stop(): Promise<void>;
}
export function ensureEmbeddedMongo(): string;
export function ensureComposeConfig(): string;
export function ensureKubeCheck(): string;
export function startEmbeddedMongo(options: { dataDir: string; port?: number; pushdown?: boolean }): Promise<Running>;
/** `pid`: the redis-server process, for tests that pause it (SIGSTOP) as a stall would. */
export function startRedis(options: { dataDir: string; port?: number; args?: string[] }): Promise<Running & { port: number; pid: number }>;
export function startInfrastructure(options: {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  mongoPushdown?: boolean;
}): Promise<{ mongoUrl: string; redisUrl: string; pids: { database?: number; redis?: number }; stop(): Promise<unknown> }>;
export function freePort(): Promise<number>;
export function waitForPort(port: number, host?: string, timeoutMs?: number): Promise<void>;
