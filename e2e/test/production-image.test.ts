import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { graphql, TEST_TOKEN_KEYS, uniqueTag } from '@ott/kit/testing';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';

// What the Dockerfile's build stage does (tools/build: compile, then deploy a service with
// production dependencies only), then what its runtime stage runs: the image's command and
// environment (NODE_ENV=production, its NODE_OPTIONS) over the deploy, here for users and the
// gateway in front of it, against the real database and Redis. No Docker engine is involved.

const ROOT = resolve(__dirname, '../..');
const dockerfile = readFileSync(resolve(ROOT, 'Dockerfile'), 'utf8');
const imageEnv = (name: string) => new RegExp(`\\b${name}=("[^"]+"|\\S+)`).exec(dockerfile)![1]!.replace(/^"|"$/g, '');
const IMAGE_CMD = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]!) as string[];
/** The image's WORKDIR, where the deploy lands. */
const IMAGE_APP = /^WORKDIR (\S+)$/gm.exec(dockerfile.split(/^FROM /m)[2]!)![1]!;

const tag = uniqueTag('image');
const deployRoot = join(inject('testDataDir'), `deploy-${randomBytes(4).toString('hex')}`);
const ADMIN = { email: 'admin@image.test', password: `pw-${randomBytes(12).toString('hex')}` };

interface Running {
  url: string;
  output(): string;
  stop(): Promise<number | null>;
  exited: Promise<number | null>;
}
const running: Running[] = [];

/** The image's CMD in a deploy folder, with only the image's environment and `env`. */
async function startCompiled(dir: string, env: Record<string, string>, readyPath: string): Promise<Running> {
  const { freePort } = await import('../../tools/stack/services.mjs');
  const port = await freePort();
  const child = spawn(IMAGE_CMD[0]!, IMAGE_CMD.slice(1), {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: imageEnv('NODE_ENV'),
      NODE_OPTIONS: imageEnv('NODE_OPTIONS'),
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: String(port),
      METRICS_PORT: '0',
      REDIS_URL: inject('redisUrl'),
      REDIS_KEY_PREFIX: `t:${tag}:`,
      JWT_PUBLIC_KEYS: TEST_TOKEN_KEYS.publicKey,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const url = `http://127.0.0.1:${port}`;
  const service: Running = {
    url,
    output: () => output,
    exited,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  running.push(service);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${dir} exited with ${child.exitCode}:\n${output}`);
    const response = await fetch(`${url}${readyPath}`).catch(() => undefined);
    if (response?.status === 200) return service;
    if (Date.now() > deadline) throw new Error(`${dir} did not answer ${readyPath} within 30 s:\n${output}`);
    await new Promise((done) => setTimeout(done, 200));
  }
}

let users: Running;
let gateway: Running;
const usersDir = join(deployRoot, 'users');
const gatewayDir = join(deployRoot, 'gateway');

beforeAll(async () => {
  const { compileWorkspace, deployService } = await import('../../tools/build/build.mjs');
  await compileWorkspace();
  deployService('users', usersDir);
  deployService('gateway', gatewayDir);
  users = await startCompiled(
    usersDir,
    {
      JWT_PRIVATE_KEYS: TEST_TOKEN_KEYS.privateKey,
      MONGODB_URL: inject('mongoUrl'),
      MONGODB_DB: `t_${tag}`,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      SHUTDOWN_DRAIN_SECONDS: '1',
    },
    '/health/ready',
  );
  // Only users runs: the gateway serves what users answers (its readiness is its own Redis and supergraph).
  gateway = await startCompiled(
    gatewayDir,
    { SUPERGRAPH_PATH: imageEnv('SUPERGRAPH_PATH').replace(IMAGE_APP, gatewayDir), USERS_URL: `${users.url}/graphql`, SHUTDOWN_DRAIN_SECONDS: '0' },
    '/health/live',
  );
}, 120_000);

afterAll(async () => {
  await Promise.all(running.map((service) => service.stop()));
  rmSync(deployRoot, { recursive: true, force: true });
});

const filesUnder = (dir: string) => readdirSync(dir, { recursive: true, encoding: 'utf8' });

describe('the production image, built here as its Dockerfile builds it', () => {
  it('holds compiled JavaScript and production dependencies only', () => {
    for (const dir of [usersDir, gatewayDir]) {
      expect(existsSync(join(dir, 'dist/index.js')), dir).toBe(true);
      expect(existsSync(join(dir, 'src')), dir).toBe(false);
      expect(filesUnder(join(dir, 'dist')).filter((file) => file.endsWith('.ts'))).toEqual([]);
      const kit = join(dir, 'node_modules/@ott/kit');
      expect(existsSync(join(kit, 'dist/index.js'))).toBe(true);
      expect(existsSync(join(kit, 'src'))).toBe(false);
      expect(existsSync(join(kit, 'dist/testing'))).toBe(false);
      const installed = readdirSync(join(dir, 'node_modules/.pnpm'));
      for (const devOnly of ['vitest@', '@swc+core@', '@swc-node+register@', 'typescript@', 'eslint@', '@ott+catalog@', 'graphiql@', 'react-dom@']) {
        expect(
          installed.filter((name) => name.startsWith(devOnly)),
          `${dir}: ${devOnly}`,
        ).toEqual([]);
      }
    }
    // The gateway's event contracts (packages/events), compiled like the kit.
    const events = join(gatewayDir, 'node_modules/@ott/events');
    expect(existsSync(join(events, 'dist/index.js'))).toBe(true);
    expect(existsSync(join(events, 'src'))).toBe(false);
    expect(readFileSync(join(gatewayDir, 'schema/supergraph.graphql'), 'utf8')).toBe(readFileSync(resolve(ROOT, 'schema/supergraph.graphql'), 'utf8'));
    const manifest = 'schema/client/persisted-documents.json';
    expect(readFileSync(join(gatewayDir, manifest), 'utf8')).toBe(readFileSync(resolve(ROOT, manifest), 'utf8'));
  });

  it('runs under plain node, no loader, and users answers ready', async () => {
    expect(IMAGE_CMD).toEqual(['node', 'dist/index.js']);
    expect(imageEnv('NODE_OPTIONS')).not.toMatch(/(^|\s)(-r|--require|--import|--loader)\b/);
    expect(imageEnv('NODE_ENV')).toBe('production');
    const ready = await fetch(`${users.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { mongodb: 'ok', redis: 'ok' } });
  });

  it('serves GraphQL from compiled code: the administrator users created at start signs in and reads itself through the gateway', async () => {
    const login = await graphql<{ login: { accessToken: string } }>(
      `${gateway.url}/graphql`,
      'mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }',
      ADMIN,
    );
    expect(login.errors).toBeUndefined();
    const token = login.data!.login.accessToken;
    const me = await graphql<{ me: { email: string; role: string } }>(`${gateway.url}/graphql`, '{ me { email role } }', {}, { token });
    expect(me.errors).toBeUndefined();
    expect(me.data!.me).toEqual({ email: ADMIN.email, role: 'ADMIN' });
    for (const service of [users, gateway]) {
      expect(service.output()).not.toContain(ADMIN.password);
      expect(service.output()).not.toContain(token);
    }
  });

  it('logs JSON lines naming the service, one per operation', async () => {
    for (const [name, service] of [
      ['users', users],
      ['gateway', gateway],
    ] as const) {
      // A request's line is written as its answer leaves, so it may trail the answer a little.
      await vi.waitFor(() => {
        const lines = service
          .output()
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as { service: string; msg: string });
        expect(
          lines.every((line) => line.service === name),
          name,
        ).toBe(true);
        expect(lines.filter((line) => line.msg === 'graphql request').length, name).toBeGreaterThanOrEqual(2);
      });
    }
  });

  it('runs a document of the trusted-documents manifest, found beside the supergraph, by its id alone', async () => {
    const manifest = JSON.parse(readFileSync(join(gatewayDir, 'schema/client/persisted-documents.json'), 'utf8')) as Record<string, string>;
    const documentId = Object.keys(manifest).find((id) => manifest[id]!.startsWith('mutation Login('))!;
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ documentId, variables: ADMIN }),
    });
    const body = (await response.json()) as { data?: { login: { accessToken: string } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data!.login.accessToken).toEqual(expect.any(String));
  });

  it('on SIGTERM (docker stop) answers not ready while it drains, then exits with 0', async () => {
    const stopped = users.stop();
    // The signal arrives a moment later; the drain lasts SHUTDOWN_DRAIN_SECONDS (1).
    let draining = await fetch(`${users.url}/health/ready`);
    for (let polls = 0; draining.status === 200 && polls < 20; polls++) {
      await new Promise((done) => setTimeout(done, 25));
      draining = await fetch(`${users.url}/health/ready`);
    }
    expect(draining.status).toBe(503);
    expect(await draining.json()).toEqual({ status: 'draining' });
    expect((await fetch(`${users.url}/health/live`)).status).toBe(200);
    expect(await stopped).toBe(0);
    expect(await gateway.stop()).toBe(0);
  });
});
