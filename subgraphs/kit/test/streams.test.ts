import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConfigError, eventStreamEnv, eventStreams, loadConfig, redisEnv } from '../src/config';
import { createLogger } from '../src/logger';
import { connectRedis, createRedis } from '../src/redis';
import { uniqueTag } from '../src/testing';

const KIT = resolve(__dirname, '..');
const GROUP = 'test-group';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

let admin: Redis;
beforeAll(async () => {
  admin = createRedis('streams-test-admin', { url: inject('redisUrl'), keyPrefix: '' }, createLogger('streams-test', 'silent'));
  await connectRedis(admin);
});
afterAll(() => admin?.disconnect());

/** A stream of the test's own, with the group already created at its start. */
async function newStream(label: string): Promise<string> {
  const stream = `t:${uniqueTag(label)}:events`;
  await admin.xgroup('CREATE', stream, GROUP, '0', 'MKSTREAM');
  cleanups.push(() => admin.del(stream));
  return stream;
}

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** XINFO CONSUMERS as name → pending count. */
async function consumers(stream: string): Promise<Map<string, number>> {
  const reply = (await admin.xinfo('CONSUMERS', stream, GROUP)) as (string | number)[][];
  return new Map(reply.map((fields) => [String(fields[fields.indexOf('name') + 1]), Number(fields[fields.indexOf('pending') + 1])]));
}

/** The consumer of test/support/stream-consumer.process.ts, in a process of its own. */
function consumerProcess(env: Record<string, string>) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, REDIS_URL: inject('redisUrl'), ...env };
  if (!('STREAM_CONSUMER_NAME' in env)) delete childEnv.STREAM_CONSUMER_NAME;
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'test/support/stream-consumer.process.ts'], { cwd: KIT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
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

describe('stream consumer names', () => {
  it('gives two processes on one host different names, and uses STREAM_CONSUMER_NAME as given', async () => {
    const stream = await newStream('names');
    const env = { TEST_STREAM: stream, TEST_GROUP: GROUP };
    const first = consumerProcess(env);
    const second = consumerProcess(env);
    const [, firstName] = await first.line(/^consumer (\S+)$/);
    const [, secondName] = await second.line(/^consumer (\S+)$/);
    expect(firstName).toMatch(new RegExp(`^${hostname()}-${first.pid}-[0-9a-f]{6}$`));
    expect(secondName).toMatch(new RegExp(`^${hostname()}-${second.pid}-[0-9a-f]{6}$`));
    expect(firstName).not.toBe(secondName);
    // Both joined the group, each under its own name.
    await waitFor(async () => ((await consumers(stream)).size === 2 ? true : undefined), 'both consumers in the group');
    expect([...(await consumers(stream)).keys()].sort()).toEqual([firstName, secondName].sort());

    const named = consumerProcess({ ...env, STREAM_CONSUMER_NAME: 'catalog-0' });
    expect((await named.line(/^consumer (\S+)$/))[1]).toBe('catalog-0');
  });

  it('draws a new name at every start unless one is configured', () => {
    const load = (env: NodeJS.ProcessEnv) => eventStreams(loadConfig({ ...redisEnv, ...eventStreamEnv }, env)).streamConsumer;
    expect(load({}).name).not.toBe(load({}).name);
    expect(load({ STREAM_CONSUMER_NAME: 'pod-7' })).toEqual({ name: 'pod-7' });
    expect(() => load({ STREAM_CONSUMER_NAME: 'has spaces' })).toThrow(ConfigError);
  });
});

