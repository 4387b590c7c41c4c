// Three gateways over the same subgraphs and the same supergraph, side by side in one run:
// this project's gateway, stock @apollo/gateway (bench/gateways/stock-gateway.mjs: Apollo
// Server's defaults, forwarding Authorization) and Hive Gateway (`hive-gateway supergraph`
// with header propagation, bench/gateways/hive.config.mjs). Workloads: the signed-in home
// screen (my-list → catalog), an anonymous catalogue page (catalog) and a signed-in title page
// (catalog, ratings, my-list, streaming), each one request repeated (so in-flight sharing and
// kept answers serve much of it: labelled so in the results); then the same pages where no two
// requests are alike (distinct members, titles and arguments; see distinctWorkloads) and a mix
// of them with ratings. Rounds interleave the gateways, each run's order rotated so no gateway
// always goes first, and every run starts once the graph has gone quiet (what the set-up or the
// run before left, such as stream consumers catching up, is billed to none of them), so drift
// on the machine hits all three alike; the table reports medians over rounds, and
// each gateway's own CPU time per request (from /proc, so the three are read the same way).
//
//   node bench/gateways.bench.mjs [--duration 10] [--rounds 3] [--connections 1,50] [--fixed]
//                                 [--only <workload prefix>] [--gateways ours,stock,hive]
//                                 [--profile-ours DIR [--profile-subgraphs catalog,my-list]]
//
// --fixed puts fixed-response subgraphs (bench/gateways/fixed-subgraphs.mjs) between every
// gateway and the subgraphs, as published gateway benchmarks do: the subgraphs then cost
// (almost) nothing and the table measures the gateways alone. Before timing, the three must
// answer every workload with the same data. Prints a Markdown block for bench/RESULTS.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, ROOT, subgraphList } from '../tools/stack/services.mjs';
import { cpuPerRequest as graphCpuPerRequest, cpuSnapshot, formatCpu, settle } from './support/cpu.mjs';
import { CATALOGUE, distinctWorkloads, HOME, TITLE } from './gateways/workloads.mjs';
import { gql, loadAverage, measure, withGraph } from './support/graph.mjs';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '1,50' },
    fixed: { type: 'boolean', default: false },
    only: { type: 'string' },
    // Which gateways to run (a profiling run needs only ours); the ratios need all three.
    gateways: { type: 'string', default: 'ours,stock,hive' },
    // Writes a V8 CPU profile of this project's gateway to this directory (open it in DevTools),
    // and of the subgraphs named in --profile-subgraphs.
    'profile-ours': { type: 'string' },
    'profile-subgraphs': { type: 'string', default: '' },
  },
});
const DURATION = Number(args.duration);
const ROUNDS = Number(args.rounds);
const CONNECTIONS = args.connections.split(',').map(Number);

/** A process's CPU time so far (user + system), in ms, read the same way for every gateway. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

async function waitForGraphQL(label, url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${label} did not answer at ${url}`);
}

/** The committed supergraph with every subgraph's URL replaced by the one this run uses. */
function supergraphFor(urls) {
  let sdl = readFileSync(join(ROOT, 'schema/supergraph.graphql'), 'utf8');
  for (const [name, url] of Object.entries(urls)) {
    const pattern = new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]*(")`);
    if (!pattern.test(sdl)) throw new Error(`no join__graph for ${name} in the supergraph`);
    sdl = sdl.replace(pattern, `$1${url}$2`);
  }
  return sdl;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

const rotate = (list, by) => [...list.slice(by), ...list.slice(0, by)];

const registry = subgraphList();
const WARM_UP_SECONDS = 3;
const profileOptions = args['profile-ours'] ? ['--cpu-prof', `--cpu-prof-dir=${args['profile-ours']}`] : [];
if (args['profile-subgraphs'] && !args['profile-ours']) throw new Error('--profile-subgraphs writes to the --profile-ours directory: give both');
const GATEWAYS = args.gateways.split(',');
let gatewayUrls; // the subgraph URLs every gateway is given: the real ones, or the fixed stand-ins

await withGraph(
  {
    gatewayNodeOptions: profileOptions,
    subgraphNodeOptions: Object.fromEntries(
      args['profile-subgraphs']
        .split(',')
        .filter(Boolean)
        .map((name) => [name, profileOptions]),
    ),
    gatewayEnv: async (subgraphUrls, launchNode) => {
      gatewayUrls = subgraphUrls;
      if (args.fixed) {
        const stands = await Promise.all(registry.map(async ({ name }) => ({ name, port: await freePort(), target: subgraphUrls[name] })));
        launchNode('fixed', [join(ROOT, 'bench/gateways/fixed-subgraphs.mjs')], { FIXED_SUBGRAPHS: JSON.stringify(stands) });
        gatewayUrls = Object.fromEntries(stands.map(({ name, port }) => [name, `http://127.0.0.1:${port}/graphql`]));
      }
      return Object.fromEntries(registry.map(({ name, urlVariable }) => [urlVariable, gatewayUrls[name]]));
    },
  },
  async (graph) => {
    const dir = await mkdtemp(join(tmpdir(), 'ott-gateways-'));
    const supergraphPath = join(dir, 'supergraph.graphql');
    writeFileSync(supergraphPath, supergraphFor(gatewayUrls));
    const secret = { SUBGRAPH_SHARED_SECRET: graph.shared.SUBGRAPH_SHARED_SECRET, NODE_ENV: 'production' };
    const [stockPort, hivePort] = [await freePort(), await freePort()];
    const stock = graph.launchNode('stock', [join(ROOT, 'bench/gateways/stock-gateway.mjs')], {
      ...secret,
      PORT: String(stockPort),
      SUPERGRAPH_PATH: supergraphPath,
    });
    const hiveBin = join(ROOT, 'node_modules/@graphql-hive/gateway/dist/bin.js');
    const hive = graph.launchNode(
      'hive',
      [
        hiveBin,
        'supergraph',
        supergraphPath,
        '--port',
        String(hivePort),
        '--host',
        '127.0.0.1',
        '--config-path',
        join(ROOT, 'bench/gateways/hive.config.mjs'),
        '--disable-websockets',
      ],
      secret,
    );
    const gateways = [
      { key: 'ours', name: 'ours', url: graph.gateway, pid: graph.gatewayPid },
      { key: 'stock', name: 'stock @apollo/gateway', url: `http://127.0.0.1:${stockPort}/graphql`, pid: stock.pid },
      { key: 'hive', name: 'Hive Gateway', url: `http://127.0.0.1:${hivePort}/graphql`, pid: hive.pid },
    ].filter(({ key }) => GATEWAYS.includes(key));
    await Promise.all(gateways.filter(({ key }) => key !== 'ours').map(({ name, url }) => waitForGraphQL(name, url)));

    // One member with a 20-title list, as on the home screen.
    const { register } = await gql(graph.gateway, `mutation ($input: RegisterInput!) { register(input: $input) { accessToken } }`, {
      input: { email: 'gateways@example.test', password: 'bench-password-1', displayName: 'Bench' },
    });
    const token = register.accessToken;
    const { browse } = await gql(graph.gateway, `{ browse(first: 20, sort: POPULARITY_DESC) { edges { node { id __typename } } } }`);
    for (const { node } of browse.edges) await gql(graph.gateway, `mutation ($id: ID!) { addToMyList(contentId: $id) { id } }`, { id: node.id }, token);
    const movie = browse.edges.find(({ node }) => node.__typename === 'Movie').node.id;
    const distinct = await distinctWorkloads(graph.gateway, CONNECTIONS.at(-1));

    const workloads = [
      { name: 'home screen (signed in: my-list → catalog)', requests: [{ query: HOME, token }] },
      { name: 'catalogue page (anonymous: catalog)', requests: [{ query: CATALOGUE }] },
      { name: 'title page (signed in: catalog, ratings, my-list, streaming)', requests: [{ query: TITLE, variables: { id: movie }, token }] },
      ...distinct,
    ].filter(({ name }) => !args.only || name.startsWith(args.only));

    // The three must agree before any is timed; then every cache on the path is warm.
    for (const { name, requests } of workloads) {
      const [{ query, variables, token: caller }] = requests;
      const answers = await Promise.all(gateways.map(({ url }) => gql(url, query, variables, caller)));
      for (const [i, answer] of answers.entries()) {
        if (JSON.stringify(answer) !== JSON.stringify(answers[0])) {
          throw new Error(
            `${gateways[i].name} answers "${name}" differently:\n${JSON.stringify(answer).slice(0, 400)}\n${JSON.stringify(answers[0]).slice(0, 400)}`,
          );
        }
      }
      for (const { url } of gateways) for (let i = 0; i < 100; i++) await gql(url, query, variables, caller);
    }
    // A workload whose requests all differ reaches code, members and rows one request does not:
    // a short untimed run through every gateway first, or the first timed run pays the warm-up
    // (it measured a third slower than the same gateway's later runs).
    for (const workload of workloads.filter(({ distinct }) => distinct)) {
      for (const { url } of gateways) {
        const warm = await measure(`${workload.name} (warm-up)`, url, rotate(workload.requests, workload.sent ?? 0), CONNECTIONS.at(-1), WARM_UP_SECONDS);
        workload.sent = (workload.sent ?? 0) + warm.requests + CONNECTIONS.at(-1);
      }
    }

    const load = loadAverage();
    const runs = [];
    const everyProcess = { ...graph.processes, ...Object.fromEntries(gateways.map(({ key, pid }) => [key, pid])) };
    let slot = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const workload of workloads) {
        for (const connections of CONNECTIONS) {
          // Whoever runs first meets what the set-up or the previous run left: not always the same gateway.
          for (const gateway of rotate(gateways, slot++ % gateways.length)) {
            const waited = await settle(everyProcess, { maxMs: 10_000 });
            if (waited >= 10_000) process.stderr.write(`the graph was still busy after 10 s: measuring anyway\n`);
            const before = cpuMs(gateway.pid);
            // The whole graph's processes, with this run's gateway standing in as `gateway`.
            const processes = { ...graph.processes, gateway: gateway.pid };
            const graphBefore = cpuSnapshot(processes);
            // A workload whose every request differs starts each run where the last one stopped,
            // so no run repeats a catalogue page an earlier run (or another gateway) was sent.
            const requests = workload.distinct ? rotate(workload.requests, (workload.sent ?? 0) % workload.requests.length) : workload.requests;
            const result = await measure(workload.name, gateway.url, requests, connections, DURATION);
            if (workload.distinct) workload.sent = (workload.sent ?? 0) + result.requests + connections;
            const cpuPerRequest = (cpuMs(gateway.pid) - before) / Math.max(1, result.requests);
            // The whole graph's CPU by process during this gateway's run: the subgraphs' share shows
            // whether a gateway saves (or costs) them work, not only its own.
            const graphCpu = graphCpuPerRequest(graphBefore, cpuSnapshot(processes), result.requests);
            runs.push({ workload: workload.name, connections, gateway: gateway.name, ...result, cpuPerRequest, graphCpu });
            process.stderr.write(`round ${round + 1}: ${workload.name}, ${connections} conn, ${gateway.name}: ${result.rps} req/s\n`);
          }
        }
      }
    }

    const rows = [];
    for (const workload of workloads) {
      for (const connections of CONNECTIONS) {
        const summary = Object.fromEntries(
          gateways.map(({ name }) => {
            const mine = runs.filter((r) => r.workload === workload.name && r.connections === connections && r.gateway === name);
            return [
              name,
              {
                rps: median(mine.map((r) => r.rps)),
                p50: median(mine.map((r) => r.p50)),
                p99: median(mine.map((r) => r.p99)),
                errors: mine.reduce((sum, r) => sum + r.errors, 0),
                cpu: median(mine.map((r) => r.cpuPerRequest)),
              },
            ];
          }),
        );
        const stockRps = summary['stock @apollo/gateway']?.rps;
        const hiveRps = summary['Hive Gateway']?.rps;
        for (const { name } of gateways) {
          const s = summary[name];
          const ratio = (other) => (other ? `${(s.rps / other).toFixed(2)}×` : '–');
          rows.push(
            `| ${workload.name} | ${connections} | ${name} | ${s.rps} | ${s.p50} | ${s.p99} | ${s.errors} | ${s.cpu.toFixed(2)} | ${ratio(stockRps)} | ${ratio(hiveRps)} |`,
          );
        }
      }
    }
    const byProcess = [];
    for (const workload of workloads) {
      for (const connections of CONNECTIONS) {
        for (const { name } of gateways) {
          const mine = runs.filter((r) => r.workload === workload.name && r.connections === connections && r.gateway === name);
          if (mine.length > 0) byProcess.push(`| ${workload.name} | ${connections} | ${name} | ${formatCpu(mine.at(-1).graphCpu)} |`);
        }
      }
    }
    console.log(
      [
        `Subgraphs: ${args.fixed ? 'fixed responses (bench/gateways/fixed-subgraphs.mjs)' : 'the real ones'}; ${ROUNDS} interleaved rounds of ${DURATION} s each; medians. Load average before measuring: ${load}`,
        '',
        '| workload | conns | gateway | req/s | p50 ms | p99 ms | errors | gateway CPU ms/req | vs stock | vs Hive |',
        '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        ...rows,
        '',
        "Whole-graph CPU ms per request by process, during each gateway's runs (the last round; `gateway` is the one measured):",
        '',
        '| workload | conns | gateway | CPU ms per request |',
        '| --- | ---: | --- | --- |',
        ...byProcess,
      ].join('\n'),
    );
  },
);
