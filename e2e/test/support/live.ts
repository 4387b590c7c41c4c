import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { until } from '@ott/kit/testing';
import type { Stack } from './stack';

export interface Closed {
  code: number;
  reason: string;
}

/** One subscription's results as they arrive, and how it ended. */
export interface Live<T = Record<string, unknown>> {
  results: FormattedExecutionResult<T, unknown>[];
  errors: unknown[];
  completed: boolean;
  /** Resolves once `count` results arrived (or rejects after the timeout). */
  received(count: number, timeoutMs?: number): Promise<FormattedExecutionResult<T, unknown>[]>;
  /** Resolves when the subscription completed or failed. */
  ended(timeoutMs?: number): Promise<void>;
  unsubscribe(): void;
}

export interface LiveClient {
  client: Client;
  /** Close events of the socket, in order. */
  closes: Closed[];
  /** Resolves with how the socket closed (the client never reconnects, so it closes once). */
  closed(timeoutMs?: number): Promise<Closed>;
  subscribe<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Live<T>;
  dispose(): Promise<void>;
}

const wsUrl = (httpUrl: string) => httpUrl.replace(/^http/, 'ws');

/** The gateway package's folder, where it runs from source: its entry resolves to <folder>/src/index.ts. */
const GATEWAY_DIR = resolve(createRequire(__filename).resolve('@ott/gateway'), '../..');

/** A real graphql-ws client (the graphql-transport-ws protocol over `ws`), that never retries. */
export function liveClient(gatewayUrl: string, connectionParams: Record<string, unknown> = {}): LiveClient {
  const closes: Closed[] = [];
  const client = createClient({
    url: wsUrl(gatewayUrl),
    webSocketImpl: WebSocket,
    connectionParams,
    lazy: false,
    retryAttempts: 0,
    shouldRetry: () => false,
    on: { closed: (event) => closes.push({ code: (event as Closed).code, reason: String((event as Closed).reason) }) },
    onNonLazyError: () => undefined,
  });
  return {
    client,
    closes,
    async closed(timeoutMs = 10_000) {
      await until(() => closes.length > 0, 'the socket to close', timeoutMs);
      return closes[0]!;
    },
    subscribe<T>(query: string, variables: Record<string, unknown> = {}): Live<T> {
      const live: Live<T> = {
        results: [],
        errors: [],
        completed: false,
        received: async (count, timeoutMs = 10_000) => {
          await until(() => live.results.length >= count, `${count} results (got ${live.results.length})`, timeoutMs);
          return live.results;
        },
        ended: (timeoutMs = 10_000) => until(() => live.completed || live.errors.length > 0, 'the subscription to end', timeoutMs),
        unsubscribe: () => stop(),
      };
      const stop = client.subscribe<T>(
        { query, variables },
        {
          next: (result) => live.results.push(result),
          error: (error) => live.errors.push(error),
          complete: () => {
            live.completed = true;
          },
        },
      );
      return live;
    },
    dispose: () => client.dispose() as Promise<void>,
  };
}

/**
 * A second gateway as its own operating-system process, over the stack's supergraph and
 * settings: as another pod of a deployment would run, sharing only Redis and the subgraphs.
 */
export async function startGatewayProcess(stack: Stack): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'ott-gateway-'));
  const supergraphPath = join(dir, 'supergraph.graphql');
  await writeFile(supergraphPath, stack.supergraphSdl);
  const { freePort } = await import('../../../tools/stack/services.mjs');
  const port = await freePort();
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/index.ts'], {
    cwd: GATEWAY_DIR,
    env: { ...process.env, ...stack.gatewayEnv, PORT: String(port), SUPERGRAPH_PATH: supergraphPath },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${port}/graphql`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the second gateway exited: ${stderr}`);
    try {
      if ((await fetch(new URL('/health/live', url))).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the second gateway did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolvePromise) => {
        if (child.exitCode !== null) return resolvePromise();
        child.once('exit', () => resolvePromise());
        child.kill('SIGTERM');
      }),
  };
}
