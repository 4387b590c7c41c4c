// Starts the real infrastructure the graph needs on this machine: the embedded
// MongoDB-compatible server (FerretDB over SQLite, built from tools/embedded-mongo) and a
// private redis-server, each on a free loopback port. MONGODB_URL / REDIS_URL skip them.
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MONGO_SRC = join(ROOT, 'tools/embedded-mongo');
const MONGO_BIN = join(ROOT, '.data/bin/embedded-mongo');
const COMPOSE_CONFIG_SRC = join(ROOT, 'tools/compose-config');
const COMPOSE_CONFIG_BIN = join(ROOT, '.data/bin/compose-config');
const KUBE_CHECK_SRC = join(ROOT, 'tools/kube-check');
const KUBE_CHECK_BIN = join(ROOT, '.data/bin/kube-check');

/**
 * Builds a Go program of tools/ once; rebuilds only when its sources or patches change.
 * `patches` maps a required module to the patch files applied over its released source.
 */
function ensureGoBinary(src, bin, label, patches = {}) {
  const hash = createHash('sha256');
  const sources = readdirSync(src)
    .filter((file) => file.endsWith('.go') || file === 'go.mod' || file === 'go.sum')
    .sort();
  const patchFiles = Object.values(patches).flat();
  for (const file of [...sources.map((name) => join(src, name)), ...patchFiles]) hash.update(relative(src, file)).update(readFileSync(file));
  const stamp = `${bin}.sha256`;
  const digest = hash.digest('hex');
  if (existsSync(bin) && existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return bin;
  mkdirSync(dirname(bin), { recursive: true });
  console.log(`building ${label} (first run only)…`);
  try {
    const modfile = patchModules(src, join(dirname(bin), `${basename(bin)}.build`), patches);
    execFileSync('go', ['build', ...(modfile ? [`-modfile=${modfile}`] : []), '-o', bin, '.'], { cwd: src, stdio: 'inherit' });
  } catch (error) {
    throw new Error(`could not build ${relative(ROOT, src)} with Go (are "go" and "patch" on PATH?): ${error.message}`);
  }
  writeFileSync(stamp, digest);
  return bin;
}

/**
 * Copies each patched module's released source from the Go module cache into buildDir, applies
 * its patches there and answers a go.mod (with its go.sum) that replaces the module by that copy.
 * Nothing of another project's source is kept in this repository, only the patches.
 */
function patchModules(src, buildDir, patches) {
  const modules = Object.keys(patches);
  if (modules.length === 0) return undefined;
  rmSync(buildDir, { recursive: true, force: true });
  mkdirSync(buildDir, { recursive: true });
  let goMod = readFileSync(join(src, 'go.mod'), 'utf8');
  for (const module of modules) {
    const { Dir, Version } = JSON.parse(execFileSync('go', ['mod', 'download', '-json', module], { cwd: src, encoding: 'utf8' }));
    const copy = join(buildDir, `${basename(module)}@${Version}`);
    cpSync(Dir, copy, { recursive: true });
    execFileSync('chmod', ['-R', 'u+w', copy]);
    for (const patch of patches[module]) {
      execFileSync('patch', ['--batch', '--forward', '--quiet', '-p1', '-d', copy, '-i', patch], { stdio: 'inherit' });
    }
    goMod += `\nreplace ${module} => ${copy}\n`;
  }
  const modfile = join(buildDir, 'go.mod');
  writeFileSync(modfile, goMod);
  cpSync(join(src, 'go.sum'), join(buildDir, 'go.sum'));
  return modfile;
}

/** The embedded MongoDB-compatible server (FerretDB, patched: see tools/embedded-mongo/patches), built once. */
export function ensureEmbeddedMongo() {
  const patchDir = join(MONGO_SRC, 'patches');
  const ferretPatches = readdirSync(patchDir)
    .filter((file) => file.endsWith('.patch'))
    .sort()
    .map((file) => join(patchDir, file));
  return ensureGoBinary(MONGO_SRC, MONGO_BIN, 'the embedded MongoDB-compatible server (FerretDB)', { 'github.com/FerretDB/FerretDB': ferretPatches });
}

/** tools/compose-config: loads docker-compose.yml as `docker compose config` does (compose-go), built once. */
export function ensureComposeConfig() {
  return ensureGoBinary(COMPOSE_CONFIG_SRC, COMPOSE_CONFIG_BIN, 'the compose file checker (compose-go)');
}

/** tools/kube-check: renders deploy/ with kustomize and decodes it strictly into the Kubernetes API's types, built once. */
export function ensureKubeCheck() {
  return ensureGoBinary(KUBE_CHECK_SRC, KUBE_CHECK_BIN, 'the Kubernetes manifest checker (kustomize, k8s.io/api)');
}

function waitForLine(child, pattern, label, timeoutMs = 30_000) {
  return new Promise((resolvePromise, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`${label} did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk) => {
      output += chunk.toString();
      const match = pattern.exec(output);
      if (match) {
        cleanup();
        resolvePromise(match);
      }
    };
    const onExit = (code) => fail(new Error(`${label} exited with code ${code} before it was ready:\n${output}`));
    function cleanup() {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.stderr.off('data', onData);
      child.off('exit', onExit);
    }
    function fail(error) {
      cleanup();
      child.kill('SIGKILL');
      reject(error);
    }
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', onExit);
  });
}

function stopper(child) {
  return () =>
    new Promise((resolvePromise) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolvePromise();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolvePromise();
      });
      child.kill('SIGTERM');
    });
}

/**
 * The embedded database on a free port, or on `port` (tests that stop and restart it keep its
 * data in dataDir). `pushdown: false` makes it filter every document itself, as a reference.
 */
export async function startEmbeddedMongo({ dataDir, port = 0, pushdown = true }) {
  const bin = ensureEmbeddedMongo();
  mkdirSync(dataDir, { recursive: true });
  const child = spawn(bin, ['-listen', `127.0.0.1:${port}`, '-data', dataDir, '-log-level', 'error', `-pushdown=${pushdown}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [, url] = await waitForLine(child, /^ready (\S+)$/m, 'embedded-mongo');
  child.stdout.resume();
  child.stderr.resume();
  return { url, pid: child.pid, stop: stopper(child) };
}

export function freePort() {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePromise(port));
    });
  });
}

/**
 * A private redis-server; `port` restarts one on the same port (tests of Redis outages), `args`
 * adds settings (a cluster node's: tools/stack/redis-cluster.mjs).
 */
export async function startRedis({ dataDir, port, args = [] }) {
  mkdirSync(dataDir, { recursive: true });
  for (let attempt = 0; ; attempt++) {
    const chosen = port ?? (await freePort());
    const child = spawn(
      'redis-server',
      ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dataDir, '--loglevel', 'notice', ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.once('error', () => {});
    try {
      await waitForLine(child, /Ready to accept connections/, 'redis-server', 10_000);
      child.stdout.resume();
      child.stderr.resume();
      return { url: `redis://127.0.0.1:${chosen}`, port: chosen, pid: child.pid, stop: stopper(child) };
    } catch (error) {
      if (port !== undefined || attempt >= 2) {
        throw new Error(`could not start redis-server (is it installed?): ${error.message}`);
      }
    }
  }
}

/**
 * Uses MONGODB_URL / REDIS_URL when set, else starts private servers with data under dataDir
 * (`mongoPushdown: false`: see startEmbeddedMongo). `pids` names the processes it started.
 */
export async function startInfrastructure({ dataDir, env = process.env, mongoPushdown = true }) {
  const stops = [];
  const pids = {};
  try {
    let mongoUrl = env.MONGODB_URL;
    if (!mongoUrl) {
      const mongo = await startEmbeddedMongo({ dataDir: join(dataDir, 'mongo'), pushdown: mongoPushdown });
      stops.push(mongo.stop);
      mongoUrl = mongo.url;
      pids.database = mongo.pid;
    }
    let redisUrl = env.REDIS_URL;
    if (!redisUrl) {
      const redis = await startRedis({ dataDir: join(dataDir, 'redis') });
      stops.push(redis.stop);
      redisUrl = redis.url;
      pids.redis = redis.pid;
    }
    return { mongoUrl, redisUrl, pids, stop: () => Promise.all(stops.map((stop) => stop())) };
  } catch (error) {
    await Promise.all(stops.map((stop) => stop()));
    throw error;
  }
}

/**
 * The subgraphs the gateway composes (gateway/src/subgraphs.ts), each with its local URL,
 * port and the variable that overrides its URL.
 */
export function subgraphList() {
  const script = "process.stdout.write(JSON.stringify(require('./src/subgraphs').SUBGRAPHS))";
  const output = execFileSync('node', ['-r', '@swc-node/register', '-e', script], { cwd: join(ROOT, 'gateway'), encoding: 'utf8' });
  return JSON.parse(output).map((s) => ({ ...s, port: Number(new URL(s.url).port) }));
}

/** Waits until a TCP port accepts connections. */
export function waitForPort(port, host = '127.0.0.1', timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolvePromise, reject) => {
    const attempt = () => {
      const socket = connect(port, host);
      socket.once('connect', () => {
        socket.end();
        resolvePromise();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on ${host}:${port}`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}
