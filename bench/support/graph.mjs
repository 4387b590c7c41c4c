// What the graph benchmarks share: the whole graph started as `npm start` would (its own
// embedded database and Redis, the seeded catalogue, every subgraph and the gateway as separate
// processes on free ports, NODE_ENV=production), GraphQL calls, autocannon runs and the
// Markdown table for bench/RESULTS.md.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { generateTokenKeys } from '../../tools/stack/dev-keys.mjs';
import { freePort, ROOT, startInfrastructure, subgraphList } from '../../tools/stack/services.mjs';

const SWC = ['-r', '@swc-node/register'];

async function waitReady(label, port, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${label} did not become ready on port ${port}`);
}

/**
 * Starts the graph. `env` goes to every process; `gatewayNodeOptions` e.g. ['--cpu-prof', …],
 * and `subgraphNodeOptions` the same by subgraph name (`{ ratings: ['--cpu-prof', …] }`);
 * `mongoPushdown` (optional) goes to startInfrastructure: false starts the embedded database
 * without its query pushdown (undefined: its default);
 * `gatewayEnv(subgraphUrls, launchNode)` adds settings for the gateway alone, once the subgraphs are up.
 * Answers the gateway's and each subgraph's URL, the gateway's process id, `processes` (the
 * process id of the gateway, each subgraph, and the database and Redis when it started them, by
 * name: see cpu.mjs), the settings every
 * process got (`shared`), `launchNode(label, args, env)` for more processes (stopped with the
 * rest), and `stop()`, which stops everything.
 */
export async function startGraph({ env = {}, gatewayNodeOptions = [], subgraphNodeOptions = {}, gatewayEnv = async () => ({}), mongoPushdown } = {}) {
  const children = [];
  const launchNode = (label, args, childEnv, cwd = ROOT) => {
    const child = spawn('node', args, { cwd, env: { ...process.env, ...childEnv }, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (chunk) => process.stderr.write(`${label}| ${chunk}`));
    children.push(child);
    return child;
  };
  const launch = (label, dir, childEnv, args = ['src/index.ts'], nodeOptions = []) =>
    launchNode(label, [...nodeOptions, ...SWC, ...args], childEnv, join(ROOT, dir));
  const dataDir = await mkdtemp(join(tmpdir(), 'ott-bench-'));
  const infra = await startInfrastructure({ dataDir, mongoPushdown });
  const stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', resolve);
            child.kill('SIGTERM');
          }),
      ),
    );
    await infra.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const subgraphs = subgraphList();
    const ports = await Promise.all([...subgraphs, 'gateway'].map(() => freePort()));
    const url = (port) => `http://127.0.0.1:${port}/graphql`;
    // Users alone signs (the private key); every service verifies with the public key.
    const tokenKeys = generateTokenKeys();
    const shared = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      MONGODB_URL: infra.mongoUrl,
      REDIS_URL: infra.redisUrl,
      JWT_PUBLIC_KEYS: tokenKeys.publicKey,
      PLAYBACK_URL_SECRET: randomBytes(32).toString('hex'),
      SUBGRAPH_SHARED_SECRET: randomBytes(32).toString('hex'),
      // Every subgraph learns every peer's URL under the gateway's variable names.
      ...Object.fromEntries(subgraphs.map((s, i) => [s.urlVariable, url(ports[i])])),
      // One machine plays every member and player, at hundreds of requests a second: the
      // request budget and sign-ups per address would measure themselves instead of the graph.
      GATEWAY_REQUESTS_PER_MINUTE_MEMBER: '100000000',
      GATEWAY_REQUESTS_PER_MINUTE_ANONYMOUS: '100000000',
      // Likewise one client (one member, or loopback) runs every connection of a scenario at once.
      GATEWAY_CONCURRENT_OPERATIONS_PER_CLIENT: '100000000',
      GATEWAY_CONCURRENT_COST_PER_CLIENT: '1000000000',
      REGISTRATIONS_PER_IP: '1000000',
      // On free ports, PORT + 5090 (the metrics listener's default) may be taken or no port at all.
      METRICS_PORT: '0',
      ...env,
    };

    process.stderr.write('seeding the catalogue…\n');
    await new Promise((resolve, reject) => {
      launch('seed', 'subgraphs/catalog', { ...shared, MONGODB_DB: 'ott_catalog' }, ['src/import/cli.ts']).once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`the catalogue import exited with ${code}`)),
      );
    });
    // As deployed, subgraphs believe the client address the gateway (on loopback) forwards.
    const processes = { ...infra.pids };
    subgraphs.forEach((s, i) => {
      const settings = {
        ...shared,
        ...(s.name === 'users' ? { JWT_PRIVATE_KEYS: tokenKeys.privateKey } : {}),
        PORT: String(ports[i]),
        TRUST_PROXY: 'loopback',
      };
      processes[s.name] = launch(s.name, `subgraphs/${s.name}`, settings, undefined, subgraphNodeOptions[s.name] ?? []).pid;
    });
    await Promise.all(subgraphs.map((s, i) => waitReady(s.name, ports[i])));
    const gatewayPort = ports.at(-1);
    const subgraphUrls = Object.fromEntries(subgraphs.map((s, i) => [s.name, url(ports[i])]));
    const gatewayOnly = await gatewayEnv(subgraphUrls, launchNode);
    const gateway = launch('gateway', 'gateway', { ...shared, ...gatewayOnly, PORT: String(gatewayPort) }, undefined, gatewayNodeOptions);
    await waitReady('gateway', gatewayPort);
    processes.gateway = gateway.pid;
    return { gateway: url(gatewayPort), gatewayPid: gateway.pid, processes, subgraphs: subgraphUrls, shared, launchNode, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export async function gql(url, query, variables = {}, token) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(`${query.slice(0, 40)}…: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/**
 * One autocannon run; a response counts as an error unless it is a 200 without `errors`.
 * `requests` is a list of `{ query, variables, token }`, sent in turn (round robin), so many
 * connections can act as many members.
 */
export async function measure(title, url, requests, connections, duration) {
  let graphqlErrors = 0;
  const bodies = requests.map(({ query, variables = {}, token }) => ({
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  }));
  let next = 0;
  const result = await autocannon({
    title,
    url,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const chosen = bodies[next++ % bodies.length];
          return { ...request, headers: chosen.headers, body: chosen.body };
        },
        onResponse: (status, body) => {
          if (status !== 200 || body.includes('"errors"')) graphqlErrors += 1;
        },
      },
    ],
  });
  return {
    title,
    connections,
    duration,
    requests: result.requests.total,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors + result.timeouts + result.non2xx + graphqlErrors,
  };
}

export const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

/** The results as the Markdown block bench/RESULTS.md records. */
export function resultsTable(results, load) {
  return [
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; load average before measuring: ${load}`,
    '',
    '| scenario | conns | duration s | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) => `| ${r.title} | ${r.connections} | ${r.duration} | ${r.requests} | ${r.rps} | ${r.p50} | ${r.p90} | ${r.p99} | ${r.max} | ${r.errors} |`,
    ),
  ].join('\n');
}

/** Runs a benchmark's body against a started graph and stops the graph whatever happens. */
export async function withGraph(options, body) {
  const graph = await startGraph(options);
  try {
    await body(graph);
  } finally {
    await graph.stop();
  }
}
