// Load benchmark of the catalog subgraph's reads (browse pages in several sorts and filters,
// search, featured, similar, seasons, and 50-item `_entities` batches of titles and episodes)
// against four catalog processes over one seeded database:
//
//   database, cold   no copy in memory (CATALOG_MEMORY_MAX_DOCUMENTS=0), Redis unreachable:
//                    every request reads the database (the catalog before the copy in memory)
//   database, warm   no copy in memory, Redis primed: the Redis cache in front of the database
//   memory, cold     the catalogue in memory, Redis unreachable
//   memory, warm     the catalogue in memory, with Redis
//
// Also times each process's start (the copy is loaded before it listens), the first request
// of each read on a fresh process, and the first read after another process changed one
// title or re-imported everything. Starts its own embedded database and Redis, loads the
// full catalogue with the package's seed command, and stops everything it started.
//
//   node bench/catalog.bench.mjs [seconds per scenario, default 10] [connections, default 10]
import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { generateTokenKeys } from '../tools/stack/dev-keys.mjs';
import { freePort, ROOT, startInfrastructure, waitForPort } from '../tools/stack/services.mjs';

const duration = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 10);
const CATALOG_DIR = join(ROOT, 'subgraphs/catalog');
const { MongoClient } = createRequire(join(CATALOG_DIR, 'package.json'))('mongoose').mongo;

async function post(url, body) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await response.json();
  if (json.errors) throw new Error(`${url}: ${JSON.stringify(json.errors)}`);
  return json.data;
}

async function timedPost(url, body) {
  const started = performance.now();
  await post(url, body);
  return Math.round(performance.now() - started);
}

async function startCatalog(label, env) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/index.ts'], {
    cwd: CATALOG_DIR,
    env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'warn', NODE_ENV: 'production', JWT_PUBLIC_KEYS: generateTokenKeys().publicKey },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitForPort(port, '127.0.0.1', 120_000);
  const startMs = Math.round(performance.now() - started);
  return { label, startMs, url: `http://127.0.0.1:${port}/graphql`, stop: () => new Promise((resolve) => child.once('exit', resolve).kill('SIGTERM')) };
}

function run(title, url, body) {
  return new Promise((resolve, reject) => {
    autocannon(
      // The database path queues requests for seconds: give each up to a minute, and count timeouts apart.
      { title, url, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), duration, connections, timeout: 60 },
      (error, result) => {
        if (error) return reject(error);
        if (result.non2xx > 0 || result.errors > result.timeouts)
          return reject(new Error(`${title}: ${result.non2xx} non-2xx responses, ${result.errors} errors`));
        resolve({
          p50: result.latency.p50,
          p99: result.latency.p99,
          rps: Math.round(result.requests.average),
          total: result.requests.total,
          timeouts: result.timeouts,
        });
      },
    );
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

const dataDir = await mkdtemp(join(tmpdir(), 'ott-bench-'));
const infra = await startInfrastructure({ dataDir, env: {} });
const started = [];
try {
  const mongo = { MONGODB_URL: infra.mongoUrl, MONGODB_DB: 'bench_catalog' };
  const seedStart = Date.now();
  execFileSync(process.execPath, ['-r', '@swc-node/register', 'src/import/cli.ts'], {
    cwd: CATALOG_DIR,
    env: { ...process.env, ...mongo, LOG_LEVEL: 'warn' },
    stdio: 'inherit',
  });
  console.log(`seeded the full catalogue in ${((Date.now() - seedStart) / 1000).toFixed(1)} s; load average ${load()}`);

  // A closed port: the cache fails open.
  const noRedis = { REDIS_URL: `redis://127.0.0.1:${await freePort()}` };
  const withRedis = (prefix) => ({ REDIS_URL: infra.redisUrl, REDIS_KEY_PREFIX: prefix });
  const processes = [
    await startCatalog('database, cold', { ...mongo, ...noRedis, CATALOG_MEMORY_MAX_DOCUMENTS: '0' }),
    await startCatalog('database, warm', { ...mongo, ...withRedis('bench-db:'), CATALOG_MEMORY_MAX_DOCUMENTS: '0' }),
    await startCatalog('memory, cold', { ...mongo, ...noRedis }),
    await startCatalog('memory, warm', { ...mongo, ...withRedis('bench-mem:') }),
  ];
  started.push(...processes);

  const reference = processes[3].url;
  const popular = await post(reference, { query: '{ browse(first: 50, sort: POPULARITY_DESC) { edges { node { id } } } }' });
  const ids = popular.browse.edges.map(({ node }) => node.id);
  const shows = await post(reference, {
    query: '{ browse(first: 10, filter: { kind: TV_SHOW }, sort: POPULARITY_DESC) { edges { node { id ... on TvShow { seasons { episodes { id } } } } } } }',
  });
  const episodeIds = shows.browse.edges.flatMap(({ node }) => node.seasons.flatMap((season) => season.episodes.map((episode) => episode.id))).slice(0, 50);
  const titlePage2 = await post(reference, { query: '{ browse(first: 20, sort: TITLE) { pageInfo { endCursor } } }' });
  const titlePage3 = await post(reference, {
    query: 'query ($after: String) { browse(first: 20, sort: TITLE, after: $after) { pageInfo { endCursor } } }',
    variables: { after: titlePage2.browse.pageInfo.endCursor },
  });

  const NODE = 'id title releaseYear genres { name }';
  const SCENARIOS = [
    [
      'browse first page (drama, POPULARITY_DESC)',
      {
        query: `{ browse(first: 20, sort: POPULARITY_DESC, filter: { genreSlug: "drama" }) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${NODE} } } } }`,
      },
    ],
    [
      'browse page 3 (TITLE, no filter)',
      {
        query: `query ($after: String) { browse(first: 20, sort: TITLE, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${NODE} } } } }`,
        variables: { after: titlePage3.browse.pageInfo.endCursor },
      },
    ],
    [
      'browse first page (films since 1990, RATING_DESC)',
      { query: `{ browse(first: 20, sort: RATING_DESC, filter: { kind: MOVIE, releaseYearFrom: 1990 }) { totalCount edges { cursor node { ${NODE} } } } }` },
    ],
    ['search "star"', { query: `{ search(query: "star", first: 20) { ${NODE} } }` }],
    ['featured + genres', { query: `{ featured { ${NODE} } genres { id slug name } }` }],
    ['similar × 10 of one title', { query: `query ($id: ID!) { content(id: $id) { id similar(first: 10) { ${NODE} } } }`, variables: { id: ids[3] } }],
    [
      'seasons of a show',
      {
        query: `query ($id: ID!) { content(id: $id) { id ... on TvShow { seasons { number episodes { id title } } } } }`,
        variables: { id: shows.browse.edges[0].node.id },
      },
    ],
    [
      '_entities × 50 titles',
      {
        query: `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Content { ${NODE} } } }`,
        variables: { reps: ids.map((id) => ({ __typename: 'Content', id })) },
      },
    ],
    [
      '_entities × 50 episodes',
      {
        query: `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Episode { id title show { id title } } } }`,
        variables: { reps: episodeIds.map((id) => ({ __typename: 'Episode', id })) },
      },
    ],
  ];

  // The first request of each read on a fresh process (nothing cached, nothing primed).
  const first = new Map();
  for (const catalog of processes) for (const [title, body] of SCENARIOS) first.set(`${catalog.label}|${title}`, await timedPost(catalog.url, body));

  const results = [];
  for (const catalog of processes) {
    for (const [title, body] of SCENARIOS) {
      const result = await run(`${title}, ${catalog.label}`, catalog.url, body);
      results.push({ title, label: catalog.label, first: first.get(`${catalog.label}|${title}`), ...result, load: load() });
    }
  }

  // Another process's write, as the database sees it: the version bumped, the change named in its slot.
  const client = new MongoClient(infra.mongoUrl);
  await client.connect();
  const versions = client.db('bench_catalog').collection('catalogue_versions');
  const announce = async (change) => {
    const { version } = await versions.findOneAndUpdate({ _id: 'catalogue' }, { $inc: { version: 1 } }, { upsert: true, returnDocument: 'after' });
    await versions.replaceOne({ _id: `change:${version % 32}` }, { v: version, ...change }, { upsert: true });
  };
  const afterChange = [];
  for (const [label, change] of [
    ['one title changed', { contents: [ids[0]], episodes: [] }],
    ['everything (an import)', { all: true }],
  ]) {
    for (const catalog of processes.slice(2)) {
      const times = [];
      for (let i = 0; i < 5; i += 1) {
        await announce(change);
        times.push(await timedPost(catalog.url, SCENARIOS[0][1]));
      }
      afterChange.push({ label, process: catalog.label, ms: median(times), steady: await timedPost(catalog.url, SCENARIOS[0][1]) });
    }
  }
  await client.close();

  console.log(`\n${duration} s per scenario, ${connections} connections\n`);
  console.log('| process | start s |');
  console.log('| --- | ---: |');
  for (const p of processes) console.log(`| ${p.label} | ${(p.startMs / 1000).toFixed(1)} |`);
  console.log('\n| read | process | first ms | p50 ms | p99 ms | req/s | requests | timeouts | load average |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const r of results) console.log(`| ${r.title} | ${r.label} | ${r.first} | ${r.p50} | ${r.p99} | ${r.rps} | ${r.total} | ${r.timeouts} | ${r.load} |`);
  console.log('\n| browse first page right after another process announced | process | ms (median of 5) | next request ms |');
  console.log('| --- | --- | ---: | ---: |');
  for (const a of afterChange) console.log(`| ${a.label} | ${a.process} | ${a.ms} | ${a.steady} |`);
} finally {
  await Promise.all(started.map((s) => s.stop()));
  await infra.stop();
  await rm(dataDir, { recursive: true, force: true });
}
