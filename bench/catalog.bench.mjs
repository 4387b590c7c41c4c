// Load benchmark of the catalog subgraph: the first page of browse and a 50-item _entities
// batch, each against a catalog without a cache (cold: every request reads the database) and
// one whose Redis cache is primed (warm). Starts its own embedded database and Redis, loads
// the full catalogue with the package's seed command, and stops everything it started.
//
//   node bench/catalog.bench.mjs [seconds per scenario, default 10] [connections, default 10]
import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort, ROOT, startInfrastructure, waitForPort } from '../tools/stack/services.mjs';

const duration = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 10);
const CATALOG_DIR = join(ROOT, 'subgraphs/catalog');

const BROWSE = {
  query: `query FirstPage { browse(first: 20, sort: POPULARITY_DESC, filter: { genreSlug: "drama" }) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id title releaseYear genres { name } } } } }`,
};

async function post(url, body) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await response.json();
  if (json.errors) throw new Error(`${url}: ${JSON.stringify(json.errors)}`);
  return json.data;
}

async function startCatalog(env) {
  const port = await freePort();
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/index.ts'], {
    cwd: CATALOG_DIR,
    env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'warn', NODE_ENV: 'production', JWT_SECRET: 'bench-secret-that-is-long-enough-for-hs256' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitForPort(port, '127.0.0.1', 60_000);
  return { url: `http://127.0.0.1:${port}/graphql`, stop: () => new Promise((resolve) => child.once('exit', resolve).kill('SIGTERM')) };
}

function run(title, url, body) {
  return new Promise((resolve, reject) => {
    autocannon(
      { title, url, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), duration, connections },
      (error, result) => {
        if (error) return reject(error);
        if (result.non2xx > 0 || result.errors > 0) return reject(new Error(`${title}: ${result.non2xx} non-2xx responses, ${result.errors} errors`));
        resolve({ title, p50: result.latency.p50, p99: result.latency.p99, rps: Math.round(result.requests.average), total: result.requests.total });
      },
    );
  });
}

const dataDir = await mkdtemp(join(tmpdir(), 'ott-bench-'));
const infra = await startInfrastructure({ dataDir, env: {} });
const started = [];
try {
  const mongo = { MONGODB_URL: infra.mongoUrl, MONGODB_DB: 'bench_catalog' };
  const seedStart = Date.now();
  execFileSync('pnpm', ['run', 'seed'], { cwd: CATALOG_DIR, env: { ...process.env, ...mongo, LOG_LEVEL: 'warn' }, stdio: 'inherit' });
  console.log(`seeded the full catalogue in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`);

  // A closed port: the cache fails open and every request is answered from the database.
  const cold = await startCatalog({ ...mongo, REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
  started.push(cold);
  const warm = await startCatalog({ ...mongo, REDIS_URL: infra.redisUrl, REDIS_KEY_PREFIX: 'bench:' });
  started.push(warm);

  const page = await post(warm.url, { query: '{ browse(first: 50, sort: POPULARITY_DESC) { edges { node { id } } } }' });
  const ENTITIES = {
    query: `query Entities($reps: [_Any!]!) { _entities(representations: $reps) { ... on Content { id title releaseYear genres { name } } } }`,
    variables: { reps: page.browse.edges.map(({ node }) => ({ __typename: 'Content', id: node.id })) },
  };
  await post(warm.url, BROWSE);
  await post(warm.url, ENTITIES);

  const results = [];
  for (const [label, url] of [['cold', cold.url], ['warm', warm.url]]) {
    results.push(await run(`browse first page, ${label}`, url, BROWSE));
    results.push(await run(`_entities × 50, ${label}`, url, ENTITIES));
  }
  console.log(`\n${duration} s per scenario, ${connections} connections\n`);
  console.log('| scenario | p50 ms | p99 ms | req/s | requests |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const r of results) console.log(`| ${r.title} | ${r.p50} | ${r.p99} | ${r.rps} | ${r.total} |`);
} finally {
  await Promise.all(started.map((s) => s.stop()));
  await infra.stop();
  await rm(dataDir, { recursive: true, force: true });
}
