// `npm start`: install everything, start the embedded database and Redis (or use MONGODB_URL /
// REDIS_URL / REDIS_CLUSTER_NODES), seed the catalogue, start every subgraph and the gateway on :4000, create demo
// accounts and print where to go. A service that crashes is started again (with backoff, said on
// the console); Ctrl-C stops every process it started.
// `pnpm dev` (`--watch`): the same, and each service restarts when its sources, the kit's or @ott/events'
// change; the gateway also when schema/supergraph.graphql does (after `pnpm run schema`).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { bootstrap } from './bootstrap.mjs';
import { stackTokenKeys, tokenEnv } from './dev-keys.mjs';
import { ROOT, startInfrastructure, subgraphList } from './services.mjs';
import { createSupervisor } from './supervisor.mjs';
import { watchSources } from './watch.mjs';

const GATEWAY_PORT = Number(process.env.PORT ?? 4000);
const ADMIN = { email: process.env.ADMIN_EMAIL ?? 'admin@ott.local', password: process.env.ADMIN_PASSWORD ?? 'admin-password' };
const DEMO = { email: 'demo@ott.local', password: 'demo-password', displayName: 'Demo Viewer' };
const SWC = ['-r', '@swc-node/register'];
const WATCH = process.argv.includes('--watch');
const KIT_SOURCES = join(ROOT, 'subgraphs/kit/src');
const EVENTS_SOURCES = join(ROOT, 'packages/events/src');

/** Every service's process, restarted with backoff when it crashes (supervisor.mjs). */
const supervisor = createSupervisor();
const unwatchers = [];
let infrastructure;
let stopping = false;

/** This shell's environment without the private keys: only users gets them (through its own `env`). */
function inherited() {
  const { JWT_PRIVATE_KEYS: _private, ...rest } = process.env;
  return rest;
}

function spawnService(label, cwd, env) {
  const child = spawn('node', [...SWC, 'src/index.ts'], { cwd, env: { ...inherited(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = (line) => `${label.padEnd(8)}| ${line}`;
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream.on('data', (chunk) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const line of lines) if (line.trim()) process.stdout.write(`${prefix(line)}\n`);
    });
  }
  return child;
}

function launch(label, cwd, env) {
  supervisor.add(label, () => spawnService(label, cwd, env));
}

/** Stops a service (it shuts down as on SIGTERM) and starts it again over the current files. */
function restart(label, reason) {
  console.log(`${label.padEnd(8)}| ${reason}: restarting`);
  supervisor.restart(label);
}

/** Watching: each subgraph follows its src/ and the kit's; the gateway also the supergraph it reads. */
function watchServices(subgraphs) {
  const follow = (label, sources) => unwatchers.push(watchSources(sources, (path) => restart(label, `${relative(ROOT, path)} changed`)));
  for (const { name } of subgraphs) follow(name, { dirs: [join(ROOT, 'subgraphs', name, 'src'), KIT_SOURCES, EVENTS_SOURCES] });
  follow('gateway', { dirs: [join(ROOT, 'gateway/src'), KIT_SOURCES, EVENTS_SOURCES], files: [join(ROOT, 'schema/supergraph.graphql')] });
}

async function waitReady(label, port, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${label} did not become ready on port ${port}`);
}

async function gql(query, variables, token) {
  const response = await fetch(`http://127.0.0.1:${GATEWAY_PORT}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}

/** Signs in first: a restart then spends none of the sign-ups allowed per address. */
async function ensureDemoUser() {
  const signedIn = await gql('mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }', {
    email: DEMO.email,
    password: DEMO.password,
  });
  if (!signedIn.errors) return;
  const registered = await gql('mutation ($input: RegisterInput!) { register(input: $input) { user { id } } }', { input: DEMO });
  const code = registered.errors?.[0]?.extensions?.code;
  if (registered.errors && code !== 'EMAIL_TAKEN') throw new Error(`could not create the demo user: ${registered.errors[0].message}`);
}

async function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const unwatch of unwatchers) unwatch();
  console.log('\nstopping…');
  await supervisor.stopAll();
  await infrastructure?.stop();
  process.exit(code);
}

async function main() {
  const pnpm = bootstrap();
  process.once('SIGINT', () => shutdown(0));
  process.once('SIGTERM', () => shutdown(0));

  const dataDir = join(ROOT, '.data/dev');
  // With REDIS_CLUSTER_NODES every service uses that Redis Cluster (REDIS_URL then gives only
  // its credentials and TLS): no private Redis is started.
  const cluster = process.env.REDIS_CLUSTER_NODES;
  const env = cluster ? { ...process.env, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' } : process.env;
  infrastructure = await startInfrastructure({ dataDir, env });
  const shared = {
    NODE_ENV: process.env.NODE_ENV ?? 'development',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    MONGODB_URL: infrastructure.mongoUrl,
    REDIS_URL: infrastructure.redisUrl,
    // Subgraphs answer only the gateway and each other, as in a deployment.
    SUBGRAPH_SHARED_SECRET: process.env.SUBGRAPH_SHARED_SECRET ?? randomBytes(32).toString('hex'),
  };
  // An ES256 key pair drawn once and kept (the private key mode 0600), so tokens outlive a
  // restart; never a constant of the source. Every service verifies with the public key; users
  // alone, which signs, gets the private one.
  const tokenKeys = stackTokenKeys(dataDir);
  shared.JWT_PUBLIC_KEYS = tokenKeys.publicKeys;
  console.log(`database: ${infrastructure.mongoUrl}\nredis:    ${cluster ? `cluster ${cluster}` : infrastructure.redisUrl}`);

  const subgraphs = subgraphList();
  for (const { name } of subgraphs) {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'subgraphs', name, 'package.json'), 'utf8'));
    if (manifest.scripts?.seed) {
      console.log(`seeding ${name}…`);
      pnpm(['--filter', manifest.name, 'run', 'seed'], { env: { ...inherited(), ...shared, MONGODB_DB: `ott_${name.replace('-', '')}` } });
    }
  }

  for (const { name, port } of subgraphs) {
    const dir = join(ROOT, 'subgraphs', name);
    if (!existsSync(dir)) throw new Error(`subgraph folder ${dir} is missing`);
    // The gateway is on loopback: subgraphs believe the client address it forwards.
    launch(name, dir, {
      ...shared,
      ...tokenEnv(name, tokenKeys),
      PORT: String(port),
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      TRUST_PROXY: 'loopback',
    });
  }
  await Promise.all(subgraphs.map(({ name, port }) => waitReady(name, port)));

  launch('gateway', join(ROOT, 'gateway'), { ...shared, PORT: String(GATEWAY_PORT) });
  await waitReady('gateway', GATEWAY_PORT);
  await ensureDemoUser();
  if (WATCH) watchServices(subgraphs);

  console.log(`
  The supergraph is up: http://localhost:${GATEWAY_PORT}/graphql  (open it in a browser for Apollo Sandbox)

  Accounts (sign in with the login mutation, then send "Authorization: Bearer <accessToken>"):
    ADMIN  ${ADMIN.email} / ${ADMIN.password}
    USER   ${DEMO.email} / ${DEMO.password}

  A service that crashes is restarted. Ctrl-C stops everything. Data stays in .data/dev between runs.${WATCH ? '\n  Watching: a service restarts when its sources or the kit\'s change, the gateway also after "pnpm run schema".' : ''}
`);
}

main().catch(async (error) => {
  console.error(error instanceof Error ? error.message : error);
  await shutdown(1);
});
