import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SUBGRAPHS, subgraphModule } from '../src/subgraphs';

// gateway/src/subgraphs.ts is the one list of subgraphs; what cannot read it is held to it here.

const ROOT = resolve(__dirname, '../..');

interface ComposeService {
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  command?: string[] | null;
  environment?: Record<string, string | null>;
  depends_on?: Record<string, { condition: string; required: boolean }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  restart?: string;
}

const SECRETS = {
  JWT_PUBLIC_KEYS: '-----BEGIN PUBLIC KEY-----…',
  JWT_PRIVATE_KEYS: '-----BEGIN PRIVATE KEY-----…',
  SUBGRAPH_SHARED_SECRET: 'b'.repeat(32),
  PLAYBACK_URL_SECRET: 'c'.repeat(32),
  ADMIN_PASSWORD: 'admin-password',
};

/** tools/compose-config: docker-compose.yml as `docker compose config` resolves it (compose-go). */
function composeConfig(env: Record<string, string>) {
  const { PATH, HOME } = process.env;
  const result = spawnSync(composeConfigBin, ['-f', resolve(ROOT, 'docker-compose.yml')], { env: { PATH, HOME, ...env }, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let composeConfigBin: string;
let services: Record<string, ComposeService>;
beforeAll(async () => {
  // Built once by npm test; a first direct run builds it here.
  const { ensureComposeConfig } = await import('../../tools/stack/services.mjs');
  composeConfigBin = ensureComposeConfig();
  const loaded = composeConfig(SECRETS);
  if (loaded.status !== 0) throw new Error(`docker-compose.yml does not load as docker compose config would load it:\n${loaded.stderr}`);
  services = (JSON.parse(loaded.stdout) as { services: Record<string, ComposeService> }).services;
}, 300_000);

const port = (url: string) => new URL(url).port;
const composeUrl = ({ name, url }: (typeof SUBGRAPHS)[number]) => `http://${name}:${port(url)}/graphql`;
const isOneShot = (service: ComposeService) => service.restart === 'no';
const builtHere = () => Object.entries(services).filter(([, service]) => service.build?.dockerfile === 'Dockerfile');

describe('the subgraph registry', () => {
  it('lists every subgraph folder, each with its entry points, on its own port', () => {
    const folders = readdirSync(resolve(ROOT, 'subgraphs'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== 'kit')
      .map((entry) => entry.name);
    expect(SUBGRAPHS.map((s) => s.name).sort()).toEqual(folders.sort());
    for (const { name } of SUBGRAPHS) {
      expect(existsSync(subgraphModule(name, 'index')), `${name}: src/index.ts`).toBe(true);
      expect(existsSync(subgraphModule(name, 'schema')), `${name}: src/schema.ts`).toBe(true);
    }
    expect(new Set(SUBGRAPHS.map((s) => port(s.url))).size).toBe(SUBGRAPHS.length);
  });

  it('is what docker-compose.yml runs: one service per subgraph, built as that service, on its port, all behind the gateway', () => {
    for (const { name, url } of SUBGRAPHS) {
      const service = services[name];
      expect(service, `docker-compose.yml: service ${name}`).toBeDefined();
      expect(service!.build?.args, `${name}: build argument SERVICE`).toEqual({ SERVICE: name });
      expect(service!.environment).toMatchObject({ PORT: port(url) });
    }
    const longRunning = builtHere().filter(([, service]) => !isOneShot(service));
    expect(longRunning.map(([name]) => name).sort()).toEqual([...SUBGRAPHS.map((s) => s.name), 'gateway'].sort());
    for (const [name, service] of builtHere()) {
      const { SERVICE } = service.build!.args!;
      expect(isOneShot(service) || SERVICE === name, `${name}: runs the image of service ${SERVICE}`).toBe(true);
    }
    const gateway = services.gateway!;
    expect(gateway.build?.args).toEqual({ SERVICE: 'gateway' });
    const waitsFor = Object.entries(gateway.depends_on ?? {}).filter(([name]) => SUBGRAPHS.some((s) => s.name === name));
    expect(waitsFor.map(([name]) => name).sort()).toEqual(SUBGRAPHS.map((s) => s.name).sort());
    for (const [name, { condition }] of waitsFor) expect(condition, `gateway waits for ${name}`).toBe('service_healthy');
    expect(gateway.environment).toMatchObject(Object.fromEntries(SUBGRAPHS.map((s) => [s.urlVariable, composeUrl(s)])));
  });

  it('gives every service that calls a subgraph that subgraph’s compose address', () => {
    for (const [name, { environment = {} }] of Object.entries(services)) {
      for (const subgraph of SUBGRAPHS) {
        const value = environment[subgraph.urlVariable];
        if (value !== undefined) expect(value, `${name}: ${subgraph.urlVariable}`).toBe(composeUrl(subgraph));
      }
    }
  });
});

describe('docker-compose.yml', () => {
  it('refuses to load without each secret, naming it', () => {
    for (const secret of Object.keys(SECRETS)) {
      const { [secret as keyof typeof SECRETS]: _missing, ...rest } = SECRETS;
      const loaded = composeConfig(rest);
      expect(loaded.status, `without ${secret}`).not.toBe(0);
      expect(loaded.stderr).toContain(`required variable ${secret} is missing a value`);
    }
  });

  it('hands the private token keys to users alone, and the public keys to every service', () => {
    for (const [name, service] of builtHere()) {
      const environment = service.environment ?? {};
      expect(environment.JWT_PRIVATE_KEYS, `${name}: JWT_PRIVATE_KEYS`).toBe(name === 'users' ? SECRETS.JWT_PRIVATE_KEYS : undefined);
      expect(environment.JWT_PUBLIC_KEYS, `${name}: JWT_PUBLIC_KEYS`).toBe(SECRETS.JWT_PUBLIC_KEYS);
      expect(environment, name).not.toHaveProperty('JWT_SECRET');
    }
  });

  it('gives every long-running service a healthcheck, and the one-shot import none', () => {
    for (const [name, service] of Object.entries(services)) {
      if (isOneShot(service)) {
        expect(service.healthcheck, `${name}: exits when done, so has no health`).toEqual({ disable: true });
      } else {
        expect(service.healthcheck?.disable, `${name}: healthcheck`).not.toBe(true);
        expect(service.healthcheck?.test?.length, `${name}: healthcheck test`).toBeGreaterThan(1);
      }
    }
    // The image's own HEALTHCHECK, so `docker run` and compose judge a service alike.
    const imageCheck = JSON.parse(/^\s+CMD (\[.*\])$/m.exec(readFileSync(resolve(ROOT, 'Dockerfile'), 'utf8'))![1]!) as string[];
    expect(imageCheck.join(' ')).toContain('/health/ready');
    for (const [name, service] of builtHere().filter(([, s]) => !isOneShot(s))) {
      expect(service.healthcheck!.test, `${name}: the image's readiness check`).toEqual(['CMD', ...imageCheck]);
    }
  });

  it('starts every service only after what it depends on is healthy, or has completed', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        const expected = isOneShot(services[dependency]!) ? 'service_completed_successfully' : 'service_healthy';
        expect(condition, `${name} → ${dependency}`).toBe(expected);
      }
    }
    expect(services.catalog!.depends_on).toHaveProperty('catalog-seed.condition', 'service_completed_successfully');
  });

  it('holds MongoDB unhealthy until it is a writable primary: the check exits non-zero otherwise', () => {
    const test = services.mongo!.healthcheck!.test!;
    const expression = test[test.indexOf('--eval') + 1]!;
    expect(() => new Function('rs', 'db', 'quit', expression)).not.toThrow();
    expect(expression).toMatch(/if \(!db\.hello\(\)\.isWritablePrimary\) quit\(1\)/);
  });

  it('retries the catalogue import inside its one container, so it exits once', () => {
    const seed = services['catalog-seed']!;
    expect(seed.restart).toBe('no');
    expect(seed.build?.args).toEqual({ SERVICE: 'catalog' });
    expect(seed.command?.join(' ')).toMatch(/for attempt in .*node dist\/import\/cli\.js && exit 0.*exit 1/);
  });
});

describe('the Dockerfile', () => {
  const dockerfile = readFileSync(resolve(ROOT, 'Dockerfile'), 'utf8');
  const stages = dockerfile.split(/^FROM /m).slice(1);

  it('names no package: it installs the whole workspace from the lockfile', () => {
    expect(dockerfile).not.toMatch(/^COPY .*package\.json/m);
    expect(dockerfile).toMatch(/pnpm fetch --frozen-lockfile/);
  });

  it('builds with tools/build and runs compiled JavaScript on Node 22 as a user, under plain node', () => {
    expect(stages).toHaveLength(2);
    const [build, runtime] = stages as [string, string];
    expect(build).toMatch(/^RUN pnpm build$/m);
    expect(build).toMatch(/^RUN node tools\/build\/build\.mjs deploy "\$SERVICE" \/deploy$/m);
    expect(runtime).toMatch(/^node:22-(bookworm-)?slim\b/);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*\/health\/ready/ms);
    expect(runtime).toMatch(/^CMD \["node", "dist\/index\.js"\]$/m);
    expect(runtime).not.toMatch(/swc|-r /);
  });
});
