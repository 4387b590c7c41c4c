// Benchmark of live playback updates: 1,000 graphql-ws subscribers on one gateway (100
// members × 10 connections, one `myPlaybackSessions` subscription each, in two selections),
// then 20 rounds in which every member's session sends a heartbeat through the gateway's HTTP
// endpoint, spread evenly over the round (25 heartbeats/s and 250 deliveries/s by default:
// each member's screens hear of a change every 4 s, several times what players send). Measures, for every delivery, the time from the heartbeat mutation's answer to the
// subscriber receiving the update; counts deliveries lost; and the gateway's resident memory
// per subscription. Starts and stops the whole graph like the other benchmarks.
//
//   node bench/subscriptions.bench.mjs [--members 100] [--per-member 10] [--rounds 20] [--round-ms 4000] [--profile-gateway DIR]
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { gql, loadAverage, withGraph } from './support/graph.mjs';

const { values: args } = parseArgs({
  options: {
    members: { type: 'string', default: '100' },
    'per-member': { type: 'string', default: '10' },
    rounds: { type: 'string', default: '20' },
    'round-ms': { type: 'string', default: '4000' },
    // Writes a V8 CPU profile of the gateway process to this directory (open it in DevTools).
    'profile-gateway': { type: 'string' },
  },
});
const MEMBERS = Number(args.members);
const PER_MEMBER = Number(args['per-member']);
const ROUNDS = Number(args.rounds);
const ROUND_MS = Number(args['round-ms']);

const HEARTBEAT = `mutation Heartbeat($input: UpdatePlaybackInput!) { updatePlayback(input: $input) { id version } }`;
// Two selections, as two screens of a player would subscribe: a small one and one reaching into catalog.
const SELECTIONS = [
  `subscription Mine { myPlaybackSessions { id state positionSeconds version } }`,
  `subscription MineWithTitle { myPlaybackSessions { id state positionSeconds version content { title } } }`,
];

const rssKiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const gatewayNodeOptions = args['profile-gateway'] ? ['--cpu-prof', `--cpu-prof-dir=${args['profile-gateway']}`] : [];

await withGraph({ env: { WS_CONNECTIONS_PER_MEMBER: String(PER_MEMBER) }, gatewayNodeOptions }, async ({ gateway, gatewayPid }) => {
  const { browse } = await gql(gateway, `{ browse(first: ${MEMBERS}, filter: { kind: MOVIE }) { edges { node { id } } } }`);
  const titles = browse.edges.map(({ node }) => node.id);

  process.stderr.write(`signing up ${MEMBERS} members, each with a playing session…\n`);
  const members = [];
  for (let i = 0; i < MEMBERS; i++) {
    const { register } = await gql(gateway, `mutation ($input: RegisterInput!) { register(input: $input) { accessToken } }`, {
      input: { email: `live${i}@example.test`, password: 'bench-password-1', displayName: `Live ${i}` },
    });
    const token = register.accessToken;
    await gql(
      gateway,
      `mutation ($input: SubscribeToPlanInput!) { subscribeToPlan(input: $input) { status } }`,
      {
        input: { planCode: 'BASIC', paymentToken: 'tok_visa', idempotencyKey: randomUUID() },
      },
      token,
    );
    const { startPlayback } = await gql(
      gateway,
      `mutation ($input: StartPlaybackInput!) { startPlayback(input: $input) { id version } }`,
      {
        input: { contentId: titles[i % titles.length], device: 'bench' },
      },
      token,
    );
    members.push({ token, sessionId: startPlayback.id });
  }

  global.gc?.();
  await sleep(1_000);
  const rssBefore = rssKiB(gatewayPid);

  // When each (session, version) was answered to the player that sent it, and when each subscriber
  // received it (an update may arrive before the answer does: it counts as 0 ms).
  const answeredAt = new Map();
  const receptions = [];
  let received = 0;
  let unexpected = 0;
  const clients = [];
  process.stderr.write(`opening ${MEMBERS * PER_MEMBER} subscriptions…\n`);
  for (const [m, member] of members.entries()) {
    for (let c = 0; c < PER_MEMBER; c++) {
      const client = createClient({
        url: gateway.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${member.token}` },
        lazy: false,
        retryAttempts: 0,
      });
      clients.push(client);
      client.subscribe(
        { query: SELECTIONS[(m + c) % SELECTIONS.length] },
        {
          next: ({ data, errors }) => {
            const update = data?.myPlaybackSessions;
            if (errors || !update) {
              unexpected += 1;
              return;
            }
            received += 1;
            receptions.push({ key: `${update.id}:${update.version}`, at: performance.now() });
          },
          error: () => (unexpected += 1),
          complete: () => undefined,
        },
      );
    }
  }
  await sleep(3_000);
  global.gc?.();
  const rssAfter = rssKiB(gatewayPid);
  const subscriptions = MEMBERS * PER_MEMBER;

  const load = loadAverage();
  const expected = ROUNDS * subscriptions;
  receptions.length = 0;
  received = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const before = received;
    await Promise.all(
      members.map(async (member, i) => {
        await sleep((i * ROUND_MS) / members.length);
        const { updatePlayback } = await gql(gateway, HEARTBEAT, { input: { sessionId: member.sessionId, positionSeconds: round * 10 } }, member.token);
        answeredAt.set(`${updatePlayback.id}:${updatePlayback.version}`, performance.now());
      }),
    );
    // The next round once this one's updates are in (or after 5 s: what is missing then is lost).
    const deadline = Date.now() + 5_000;
    while (received - before < subscriptions && Date.now() < deadline) await sleep(5);
  }
  await sleep(500);
  await Promise.all(clients.map((client) => client.dispose()));

  const latencies = [];
  for (const { key, at } of receptions) {
    const sent = answeredAt.get(key);
    if (sent === undefined) unexpected += 1;
    else latencies.push(Math.max(0, at - sent));
  }
  latencies.sort((a, b) => a - b);
  const ms = (v) => (v === undefined ? '–' : v.toFixed(1));
  console.log(
    [
      `Load average before the rounds: ${load}; ${subscriptions} subscriptions (${MEMBERS} members × ${PER_MEMBER} connections, ${SELECTIONS.length} selections), ${ROUNDS} rounds of ${MEMBERS} heartbeats spread over ${ROUND_MS} ms`,
      '',
      '| subscribers | updates expected | delivered | lost | p50 ms | p90 ms | p99 ms | max ms | gateway RSS before → after | per subscription |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
      `| ${subscriptions} | ${expected} | ${received} | ${expected - received} | ${ms(percentile(latencies, 50))} | ${ms(percentile(latencies, 90))} | ${ms(percentile(latencies, 99))} | ${ms(latencies.at(-1))} | ${(rssBefore / 1024).toFixed(0)} → ${(rssAfter / 1024).toFixed(0)} MiB | ${((rssAfter - rssBefore) / subscriptions).toFixed(1)} KiB |`,
      '',
      `Unexpected messages (errors or updates nobody sent): ${unexpected}.`,
    ].join('\n'),
  );
});
