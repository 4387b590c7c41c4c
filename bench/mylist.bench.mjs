// Benchmark of the home-screen query: `me { myList(first: 20) { … content { title genres … } } }`
// through the gateway, crossing users → my-list → catalog, with a 20-item list and a warm cache.
// Starts its own embedded database, Redis, users, catalog (seeded), my-list and gateway as
// separate processes on free ports, like `npm start`; stops them all at the end.
//
//   node bench/mylist.bench.mjs [--duration 20] [--connections 50] [--profile-gateway DIR]
//
// Prints a Markdown block for bench/RESULTS.md. Bounded: every scenario has a fixed duration.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { freePort, ROOT, startInfrastructure } from '../tools/stack/services.mjs';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '20' },
    connections: { type: 'string', default: '50' },
    // Writes a V8 CPU profile of the gateway process to this directory (open it in DevTools).
    'profile-gateway': { type: 'string' },
  },
});
const DURATION = Number(args.duration);
const CONNECTIONS = Number(args.connections);
const SWC = ['-r', '@swc-node/register'];

const HOME = `query Home { me { myList(first: 20) { totalCount edges { node { addedAt content { title genres { name } ... on Movie { runtimeMinutes } } } } } } }`;
// What the gateway sends each subgraph for HOME (its query plan), to see where the time goes.
const USERS_HOP = `{ me { __typename id } }`;
const CATALOG_HOP = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Content { __typename title genres { name } ... on Movie { runtimeMinutes } } } }`;
const SUBGRAPH_PAGE = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { myList(first: 20) { totalCount edges { node { addedAt content { id } } } } } } }`;

const children = [];

function launch(label, dir, env, args = ['src/index.ts'], nodeOptions = []) {
  const child = spawn('node', [...nodeOptions, ...SWC, ...args], { cwd: join(ROOT, dir), env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.on('data', (chunk) => process.stderr.write(`${label}| ${chunk}`));
  children.push(child);
  return child;
}

function run(label, dir, env, args) {
  return new Promise((resolve, reject) => {
    const child = launch(label, dir, env, args);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${label} exited with ${code}`))));
  });
}

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

async function gql(url, query, variables = {}, token) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(`${query.slice(0, 40)}…: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** One autocannon run; a response counts as an error unless it is a 200 without `errors`. */
async function measure(title, url, query, variables, token, connections, duration) {
  let graphqlErrors = 0;
  const result = await autocannon({
    title,
    url,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
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

async function main() {
  const dataDir = await mkdtemp(join(tmpdir(), 'ott-bench-'));
  const infra = await startInfrastructure({ dataDir });
  try {
    const [usersPort, catalogPort, myListPort, ratingsPort, billingPort, gatewayPort] = await Promise.all(
      Array.from({ length: 6 }, () => freePort()),
    );
    const url = (port) => `http://127.0.0.1:${port}/graphql`;
    const shared = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      MONGODB_URL: infra.mongoUrl,
      REDIS_URL: infra.redisUrl,
      JWT_SECRET: randomBytes(32).toString('hex'),
    };

    process.stderr.write('seeding the catalogue…\n');
    await run('seed', 'subgraphs/catalog', { ...shared, MONGODB_DB: 'ott_catalog' }, ['src/import/cli.ts']);

    // The whole graph, as deployed: the gateway is ready only when every subgraph is.
    launch('users', 'subgraphs/users', { ...shared, PORT: String(usersPort), CATALOG_URL: url(catalogPort) });
    launch('catalog', 'subgraphs/catalog', { ...shared, PORT: String(catalogPort) });
    launch('my-list', 'subgraphs/my-list', { ...shared, PORT: String(myListPort), CATALOG_URL: url(catalogPort) });
    launch('ratings', 'subgraphs/ratings', { ...shared, PORT: String(ratingsPort), CATALOG_URL: url(catalogPort) });
    launch('billing', 'subgraphs/billing', { ...shared, PORT: String(billingPort) });
    await Promise.all([
      waitReady('users', usersPort),
      waitReady('catalog', catalogPort),
      waitReady('my-list', myListPort),
      waitReady('ratings', ratingsPort),
      waitReady('billing', billingPort),
    ]);
    launch('gateway', 'gateway', {
      ...shared,
      PORT: String(gatewayPort),
      USERS_URL: url(usersPort),
      CATALOG_URL: url(catalogPort),
      MY_LIST_URL: url(myListPort),
      RATINGS_URL: url(ratingsPort),
      BILLING_URL: url(billingPort),
    }, undefined, args['profile-gateway'] ? ['--cpu-prof', `--cpu-prof-dir=${args['profile-gateway']}`] : []);
    await waitReady('gateway', gatewayPort);
    const gateway = url(gatewayPort);

    const { register } = await gql(gateway, `mutation ($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }`, {
      input: { email: 'bench@example.test', password: 'bench-password-1', displayName: 'Bench' },
    });
    const token = register.accessToken;
    const { browse } = await gql(gateway, `{ browse(first: 20) { edges { node { id } } } }`);
    for (const { node } of browse.edges) {
      await gql(gateway, `mutation ($id: ID!) { addToMyList(contentId: $id) { id } }`, { id: node.id }, token);
    }
    const home = await gql(gateway, HOME, {}, token);
    const items = home.me.myList.edges;
    if (home.me.myList.totalCount !== 20 || items.length !== 20 || items.some((e) => !e.node.content.title)) {
      throw new Error(`unexpected home-screen answer: ${JSON.stringify(home).slice(0, 500)}`);
    }
    // Warm every cache on the path (list pages in my-list, catalog's entity caches, query plans).
    for (let i = 0; i < 200; i++) await gql(gateway, HOME, {}, token);

    const reps = [{ __typename: 'User', id: register.user.id }];
    const contentReps = browse.edges.map(({ node }) => ({ __typename: 'Content', id: node.id }));
    const load = loadavg().map((l) => l.toFixed(1)).join(' ');
    const results = [
      await measure('home screen via gateway, 1 connection', gateway, HOME, {}, token, 1, DURATION),
      await measure(`home screen via gateway, ${CONNECTIONS} connections`, gateway, HOME, {}, token, CONNECTIONS, DURATION),
      await measure('my-list subgraph cached page (_entities), 1 connection', url(myListPort), SUBGRAPH_PAGE, { reps }, token, 1, Math.min(DURATION, 10)),
      await measure('gateway with one hop: `me { id }`, 1 connection', gateway, `{ me { id } }`, {}, token, 1, Math.min(DURATION, 10)),
      await measure('hop: users `me`, 1 connection', url(usersPort), USERS_HOP, {}, token, 1, Math.min(DURATION, 10)),
      await measure('hop: catalog `_entities` × 20 contents, 1 connection', url(catalogPort), CATALOG_HOP, { representations: contentReps }, token, 1, Math.min(DURATION, 10)),
    ];

    const lines = [
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; load average before measuring: ${load}`,
      '',
      '| scenario | conns | duration s | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | errors |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...results.map((r) => `| ${r.title} | ${r.connections} | ${r.duration} | ${r.requests} | ${r.rps} | ${r.p50} | ${r.p90} | ${r.p99} | ${r.max} | ${r.errors} |`),
    ];
    console.log(lines.join('\n'));
  } finally {
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
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exitCode = 1;
});
