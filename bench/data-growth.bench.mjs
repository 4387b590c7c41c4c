// How one member's operations through the gateway cost as other members' data grows.
//
// Starts the whole graph once (embedded database, Redis, the catalogue, every subgraph and the
// gateway, like `npm start`) and, for each N of --sizes in ascending order, tops the database up
// to N rows of OTHER members' data in every member-scoped collection, inserted through the
// MongoDB driver in the shapes the services write (bench/support/other-members.mjs: 5,000 to
// 50,000 active members per step, over the catalogue's real titles). Then a new member with a
// membership times each operation through the gateway (growth-operations.mjs: from addToMyList
// and the home screen to login and refreshToken), and --connections new members rate titles at
// once for a while. An untimed warm-up round runs first. Every sample asks something new, so no
// cache answers it; errors (HTTP, GraphQL `errors`, timeouts) are counted per operation.
//
//   node bench/data-growth.bench.mjs [--sizes 0,10000,100000] [--quick] [--samples 30]
//        [--throughput-seconds 20] [--connections 10] [--batch 2000] [--pushdown true|false]
//
// --quick: 10 samples per operation, 8 s of concurrent ratings, 45 s budget per operation.
// --sizes …,1000000 when the disk allows (~11 documents of ~1.1 kB on disk per N: ~11 GB and
// ~40 min for that step). --pushdown goes to startInfrastructure as `mongoPushdown`. Bounded:
// every sample loop has a count and a time budget, every request a timeout. Loopback only.
// Prints a Markdown block on stdout (seeding, a table per N, the curve); progress on stderr.
import { randomUUID } from 'node:crypto';
import { statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { cpuPerRequest, cpuSnapshot } from './support/cpu.mjs';
import { loadAverage, withGraph } from './support/graph.mjs';
import {
  ADD,
  BILLING,
  HEARTBEAT,
  HOME,
  LOGIN,
  operationsFor,
  PASSWORD,
  register,
  email,
  RATE,
  REFRESH,
  REGISTER,
  RESUME,
  REVIEWS,
  START,
  STOP,
  SUBSCRIBE,
  TITLE,
} from './support/growth-operations.mjs';
import { growthMarkdown } from './support/growth-report.mjs';
import { activeMembersFor, loadCatalogue, MongoClient, rng } from './support/member-data.mjs';
import { seedOtherMembers } from './support/other-members.mjs';
import { newStats, sampled, timedClient } from './support/timed-client.mjs';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '0,10000,100000' },
    quick: { type: 'boolean', default: false },
    samples: { type: 'string' },
    'throughput-seconds': { type: 'string' },
    connections: { type: 'string', default: '10' },
    batch: { type: 'string', default: '2000' },
    'budget-seconds': { type: 'string' },
    pushdown: { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
});
const SIZES = [...new Set(args.sizes.split(',').map((s) => Number(s.trim())))].sort((a, b) => a - b);
if (SIZES.some((n) => !Number.isInteger(n) || n < 0)) throw new Error(`--sizes: whole numbers ≥ 0, got ${args.sizes}`);
const QUICK = args.quick;
const SAMPLES = Number(args.samples ?? (QUICK ? 10 : 30));
const THROUGHPUT_SECONDS = Number(args['throughput-seconds'] ?? (QUICK ? 8 : 20));
const CONNECTIONS = Number(args.connections);
const BATCH = Number(args.batch);
// Sampling an operation stops after this long (with at least MIN_SAMPLES), so a slow database cannot hold the run for hours.
const BUDGET_MS = 1000 * Number(args['budget-seconds'] ?? (QUICK ? 45 : 120));
const MIN_SAMPLES = 3;
const REQUEST_TIMEOUT_MS = 120_000;
if (args.pushdown !== undefined && !['true', 'false'].includes(args.pushdown)) throw new Error('--pushdown: true or false');
const PUSHDOWN = args.pushdown === undefined ? undefined : args.pushdown === 'true';
const SEED = Number(args.seed);

// Other members' streams stay live through the run (the default 90 s would end them mid-run).
const env = { PLAYBACK_TIMEOUT_SECONDS: '3600' };
const OPERATIONS = operationsFor(CONNECTIONS);
const elapsed = (since) => ((performance.now() - since) / 1000).toFixed(1);
const log = (line) => process.stderr.write(`${line}\n`);

/** Times every single-member operation, then the concurrent ratings; answers the stats. */
async function measureSize(gateway, processes, size, catalogue, random, { samples, throughputSeconds }) {
  const stats = newStats(OPERATIONS);
  const call = timedClient(gateway, stats, REQUEST_TIMEOUT_MS);
  const sampling = { budgetMs: BUDGET_MS, minSamples: MIN_SAMPLES, log };
  // Titles for this size, shuffled; each purpose takes its own slice, so no sample repeats an earlier one.
  const shuffled = [...catalogue.titles].sort(() => random() - 0.5);
  const playable = [...catalogue.playable].sort(() => random() - 0.5);
  let cursor = 0;
  const take = (k) => shuffled.slice(cursor, (cursor += k));

  log(`N=${size}: registering the member…`);
  const mainEmail = email(size, 'main');
  const { data: reg } = await call('register', REGISTER, { input: { email: mainEmail, password: PASSWORD, displayName: 'Growth Main' } });
  if (!reg) throw new Error(`could not register the bench member at N=${size}: ${[...stats.register.messages.keys()].join('; ')}`);
  const token = reg.register.accessToken;
  let refresh = reg.register.refreshToken;
  await call('subscribeToPlan', SUBSCRIBE, { input: { planCode: 'STANDARD', paymentToken: 'tok_visa', idempotencyKey: randomUUID() } }, token);

  // Warm the query plans (not timed into the tables: the first request of an operation plans it).
  const warmStats = newStats(OPERATIONS);
  const warm = timedClient(gateway, warmStats, REQUEST_TIMEOUT_MS);
  const [warmA, warmB] = take(2);
  await warm('addToMyList', ADD, { id: warmA.id }, token);
  await warm('home screen (after the list changed)', HOME, {}, token);
  await warm('rateContent', RATE, { id: warmB.id, score: 7, review: null }, token);
  await warm('title page', TITLE, { id: warmB.id }, token);
  await warm('billing read (membership, entitlements, invoices)', BILLING, { first: 5 }, token);
  await warm('continueWatching + watchHistory', RESUME, {}, token);

  const listed = take(samples);
  await sampled(
    'addToMyList + home',
    samples,
    async (i) => {
      await call('addToMyList', ADD, { id: listed[i].id }, token);
      await call('home screen (after the list changed)', HOME, {}, token);
    },
    sampling,
  );
  const rated = take(samples);
  await sampled(
    'rateContent',
    samples,
    async (i) => {
      await call(
        'rateContent',
        RATE,
        { id: rated[i].id, score: 1 + ((i * 7) % 10), review: i % 3 === 0 ? `Sample review ${i}: tense, well acted, a little long.` : null },
        token,
      );
    },
    sampling,
  );
  // Half titles this member listed or rated, half new to them.
  const pages = [...listed.slice(0, Math.ceil(samples / 4)), ...rated.slice(0, Math.ceil(samples / 4)), ...take(samples)]
    .slice(0, samples)
    .sort(() => random() - 0.5);
  await sampled(
    'title page',
    samples,
    async (i) => {
      await call('title page', TITLE, { id: pages[i].id }, token);
    },
    sampling,
  );
  // Reviews are per title, not per member: the most popular titles have the most of them (they
  // grow with N), each read once per size; ids 0, 1, 2 … of the catalogue sorted by popularity.
  await sampled(
    'reviews',
    samples,
    async (i) => {
      await call("a popular title's reviews (ratings(first: 10))", REVIEWS, { id: catalogue.titles[i % catalogue.titles.length].id }, token);
    },
    sampling,
  );
  await sampled(
    'playback + progress',
    samples,
    async (i) => {
      const title = playable[i % playable.length];
      const { data } = await call('startPlayback', START, { input: { contentId: title.id, device: `bench-${i % 3}`, quality: 'HD' } }, token);
      const sessionId = data?.startPlayback.id;
      if (sessionId) {
        const runtime = (title.kind === 'MOVIE' ? title.runtimeSeconds : title.episodes[0]?.runtimeSeconds) ?? 3_600;
        await call(
          'updatePlayback (heartbeat)',
          HEARTBEAT,
          { input: { sessionId, positionSeconds: Math.min(60 + i * 30, Math.floor(runtime * 0.9)), state: 'PLAYING' } },
          token,
        );
        await call('stopPlayback', STOP, { id: sessionId }, token);
      }
      await call('continueWatching + watchHistory', RESUME, {}, token);
    },
    sampling,
  );
  await sampled(
    'billing read',
    samples,
    async (i) => {
      await call('billing read (membership, entitlements, invoices)', BILLING, { first: 1 + (i % 10) }, token);
    },
    sampling,
  );
  await sampled(
    'login + refreshToken',
    samples,
    async () => {
      const { data } = await call('login', LOGIN, { email: mainEmail, password: PASSWORD });
      if (data) refresh = data.login.refreshToken;
      const rotated = await call('refreshToken', REFRESH, { token: refresh });
      if (rotated.data) refresh = rotated.data.refreshToken.refreshToken;
    },
    sampling,
  );

  // Throughput: CONNECTIONS new members, each rating its own titles as fast as answers come.
  const raters = [];
  for (let w = 0; w < CONNECTIONS; w++) raters.push((await register(call, size, `rater${w}`)).accessToken);
  const pool = take(Math.min(400, shuffled.length - cursor));
  const op = `rateContent, ${CONNECTIONS} members at once`;
  log(`  ${op}: ${throughputSeconds} s…`);
  const cpuBefore = cpuSnapshot(processes);
  const started = performance.now();
  const deadline = started + throughputSeconds * 1000;
  let done = 0;
  await Promise.all(
    raters.map(async (raterToken, w) => {
      // Worker w rates titles w, w + C, w + 2C … of the pool: no two workers share a title's lease.
      for (let k = 0; performance.now() < deadline && k < 10_000; k++) {
        const round = Math.floor((w + k * CONNECTIONS) / pool.length);
        const title = pool[(w + k * CONNECTIONS) % pool.length];
        // A new score on every round through the pool, so each change moves the title's totals.
        await call(op, RATE, { id: title.id, score: 1 + ((w + k + round) % 10), review: null }, raterToken);
        done += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const throughput = { requests: done, seconds, perSecond: done / seconds, cpu: cpuPerRequest(cpuBefore, cpuSnapshot(processes), done) };
  log(`  ${op}: ${done} in ${seconds.toFixed(1)} s`);
  // Warm-up failures are not in the latencies but are reported with the errors.
  for (const [name, w] of Object.entries(warmStats)) for (const [message, n] of w.messages) stats[name].messages.set(`(warm-up, not in n) ${message}`, n);
  return { stats, throughput };
}

const runStarted = performance.now();
const results = [];
const seedingRows = [];
const warmupErrors = [];
await withGraph({ env, mongoPushdown: PUSHDOWN }, async ({ gateway, processes, shared }) => {
  // A command that hangs fails after 10 minutes instead of holding the run forever.
  const client = new MongoClient(shared.MONGODB_URL, { socketTimeoutMS: 600_000 });
  await client.connect();
  try {
    const catalogue = await loadCatalogue(client);
    log(`catalogue: ${catalogue.titles.length} titles (${catalogue.playable.length} playable), ${catalogue.genreIds.length} genres`);
    // One short untimed round first, so N = 0 is not also the services' first minute (JIT,
    // connection pools, query plans). Its 11 members stay, as other members, at every N.
    log('warm-up round (not reported)…');
    const warmup = await measureSize(gateway, processes, 'warmup', catalogue, rng(SEED), { samples: 5, throughputSeconds: 3 });
    for (const [op, s] of Object.entries(warmup.stats)) for (const [message, n] of s.messages) warmupErrors.push(`- ${op}: ${n} × ${message}`);
    let seeded = 0;
    for (const size of SIZES) {
      const { bavail, bsize } = statfsSync(tmpdir());
      const freeGb = (bavail * bsize) / 1e9;
      // About 12 documents of ~0.4 kB per N, plus SQLite's indexes: refuse a size the disk cannot take.
      const needGb = ((size - seeded) * 12 * 1.5) / 1e6;
      if (needGb > freeGb * 0.8) throw new Error(`N=${size} needs about ${needGb.toFixed(0)} GB in ${tmpdir()}, ${freeGb.toFixed(0)} GB free`);
      let seeding = '';
      if (size > seeded) {
        const delta = size - seeded;
        log(`N=${size}: seeding ${delta} rows per collection (${activeMembersFor(delta)} active members among ${delta} new accounts)…`);
        const started = performance.now();
        const report = await seedOtherMembers(client, { from: seeded, count: delta, catalogue, batchSize: BATCH, seed: SEED, log });
        const seconds = (performance.now() - started) / 1000;
        const docs = report.reduce((sum, r) => sum + r.docs, 0);
        for (const r of report) seedingRows.push({ size, ...r });
        seedingRows.push({ size, collection: '**all**', docs, seconds });
        seeding = `seeded ${docs.toLocaleString('en-US')} documents in ${seconds.toFixed(0)} s, ${Math.round(docs / seconds)} docs/s`;
        log(`N=${size}: ${seeding}`);
        seeded = size;
      }
      if (size > 0) {
        // The seeded data is what the graph answers: the most popular title's totals include it.
        const top = catalogue.titles[0];
        const { data } = await timedClient(gateway, newStats(OPERATIONS), REQUEST_TIMEOUT_MS)('title page', TITLE, { id: top.id });
        log(`N=${size}: "${top.title}" through the gateway: ratingsCount ${data?.content?.ratingsCount}, averageRating ${data?.content?.averageRating}`);
      }
      const load = loadAverage();
      const started = performance.now();
      const result = await measureSize(gateway, processes, size, catalogue, rng(SEED * 31 + size), { samples: SAMPLES, throughputSeconds: THROUGHPUT_SECONDS });
      log(`N=${size}: measured in ${elapsed(started)} s`);
      results.push({ size, ...result, seeding, load, seconds: (performance.now() - started) / 1000 });
    }
  } finally {
    await client.close();
  }
});

console.log(
  growthMarkdown({
    command: `node bench/data-growth.bench.mjs --sizes ${SIZES.join(',')}${QUICK ? ' --quick' : ''} --samples ${SAMPLES} --throughput-seconds ${THROUGHPUT_SECONDS}${PUSHDOWN === undefined ? '' : ` --pushdown ${PUSHDOWN}`}`,
    pushdown: PUSHDOWN,
    samples: SAMPLES,
    budgetMs: BUDGET_MS,
    batch: BATCH,
    runMinutes: (performance.now() - runStarted) / 60_000,
    seedingRows,
    results,
    operations: OPERATIONS,
    warmupErrors,
  }),
);
