// What the stream consumer's tests share: Redis clients closed after each test, streams with
// their group, consumers started and stopped, a consumer in a process of its own, and probes of
// the group's state. Importing it registers the hooks that open and close them.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import type { StreamContract } from '../../src/event-contract';
import { createLogger } from '../../src/logger';
import { connectRedis, createRedis, type RedisClient } from '../../src/redis';
import { StreamConsumer, type StreamConsumerSettings, type StreamEntry } from '../../src/streams';
import { uniqueTag } from '../../src/testing';

const KIT = resolve(__dirname, '../..');

/** A stand-in contract: each entry carries one mark. */
export const marks: StreamContract<{ contentId: string }> = {
  name: 'test-marks',
  encode: ({ contentId }) => ({ contentId }),
  decode: ({ contentId }) => (contentId ? { event: { contentId } } : { problem: 'contentId is missing' }),
};
export const GROUP = 'test-group';

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export let admin: RedisClient;
beforeAll(async () => {
  admin = createRedis('streams-test-admin', { url: inject('redisUrl'), keyPrefix: '' }, createLogger('streams-test', 'silent'));
  await connectRedis(admin);
});
afterAll(() => admin?.disconnect());

export function client(url: string): RedisClient {
  const redis = createRedis('streams-test', { url, keyPrefix: '' }, createLogger('streams-test', 'silent'));
  cleanups.push(() => redis.disconnect());
  return redis;
}

/** A logger whose lines the test reads back. */
export function capturingLogger() {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as LogLine);
      done();
    },
  });
  return { lines, logger: createLogger('streams-test', 'info', sink) };
}

export function settings(overrides: Partial<StreamConsumerSettings> = {}): StreamConsumerSettings {
  return { name: uniqueTag('consumer'), claimIdleMs: 60_000, maxDeliveries: 10, deadConsumerMs: 0, ...overrides };
}

/** A stream of the test's own, with the group already created at its start. */
export async function newStream(label: string): Promise<string> {
  const stream = `t:${uniqueTag(label)}:events`;
  await admin.xgroup('CREATE', stream, GROUP, '0', 'MKSTREAM');
  cleanups.push(() => admin.del(stream));
  return stream;
}

export function startConsumer(
  stream: string,
  consumerSettings: StreamConsumerSettings,
  handle: (entries: StreamEntry[]) => Promise<void>,
  options: { url?: string; redis?: RedisClient; logger?: ReturnType<typeof createLogger>; retryMs?: number; gatherMs?: number } = {},
): StreamConsumer {
  const consumer = new StreamConsumer(
    options.redis ?? client(options.url ?? inject('redisUrl')),
    {
      stream,
      group: GROUP,
      settings: consumerSettings,
      unavailableMessage: 'test stream unavailable',
      blockMs: 100,
      retryMs: options.retryMs ?? 100,
      gatherMs: options.gatherMs,
    },
    handle,
    options.logger ?? createLogger('streams-test', process.env.TEST_LOG_LEVEL || 'silent'),
  );
  consumer.start();
  cleanups.push(() => consumer.stop());
  return consumer;
}

/** Handles by recording ids, in the order handled. */
export function recorder() {
  const handled: string[] = [];
  return { handled, handle: async (entries: StreamEntry[]) => void handled.push(...entries.map((entry) => entry.id)) };
}

export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

export type PendingSummary = [count: number, first: string | null, last: string | null, consumers: [name: string, count: string][] | null];
export const pending = async (stream: string) => (await admin.xpending(stream, GROUP)) as PendingSummary;
/** XINFO CONSUMERS as name → pending count. */
export async function consumers(stream: string): Promise<Map<string, number>> {
  const reply = (await admin.xinfo('CONSUMERS', stream, GROUP)) as (string | number)[][];
  return new Map(reply.map((fields) => [String(fields[fields.indexOf('name') + 1]), Number(fields[fields.indexOf('pending') + 1])]));
}

/** The consumer of test/support/stream-consumer.process.ts, in a process of its own. */
export function consumerProcess(env: Record<string, string>) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, REDIS_URL: inject('redisUrl'), ...env };
  if (!('STREAM_CONSUMER_NAME' in env)) delete childEnv.STREAM_CONSUMER_NAME;
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'test/support/stream-consumer.process.ts'], {
    cwd: KIT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    return exited;
  });
  return {
    pid: child.pid!,
    /** The first stdout line matching, e.g. /^consumer (\S+)$/ → its captures. */
    line: (pattern: RegExp) =>
      waitFor(
        () => {
          if (child.exitCode !== null) throw new Error(`the consumer process exited (${child.exitCode}): ${stderr}`);
          return lines.map((line) => pattern.exec(line)).find((match) => match !== null) ?? undefined;
        },
        `${pattern} from the consumer process (stderr: ${stderr})`,
        20_000,
      ),
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
