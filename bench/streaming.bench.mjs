// Benchmark of playback: the heartbeat mutation (`updatePlayback`) through the gateway, from
// one player and from 50 players at once (each a member with a session of their own), and a
// warm `trending` list through the gateway and on the streaming subgraph alone.
// Starts its own embedded database, Redis, the catalogue, every subgraph and the gateway as
// separate processes on free ports, like `npm start`; stops them all at the end.
//
//   node bench/streaming.bench.mjs [--duration 20] [--connections 50]
//
// Prints a Markdown block for bench/RESULTS.md. Bounded: every scenario has a fixed duration.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { gql, loadAverage, measure, resultsTable, withGraph } from './support/graph.mjs';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '20' },
    connections: { type: 'string', default: '50' },
  },
});
const DURATION = Number(args.duration);
const CONNECTIONS = Number(args.connections);

const HEARTBEAT = `mutation Heartbeat($input: UpdatePlaybackInput!) { updatePlayback(input: $input) { id state positionSeconds version } }`;
const TRENDING = `query Trending { trending(first: 10) { id title posterUrl } }`;
const TRENDING_HOP = `query Trending { trending(first: 10) { id } }`;

await withGraph({}, async ({ gateway, subgraphs }) => {
  const { browse } = await gql(gateway, `{ browse(first: 60, sort: POPULARITY_DESC, filter: { kind: MOVIE }) { edges { node { id } } } }`);
  const titles = browse.edges.map(({ node }) => node.id);

  // One member per player, each on a STANDARD plan with one session playing a different title.
  process.stderr.write(`signing up ${CONNECTIONS} members…\n`);
  const players = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    const { register } = await gql(gateway, `mutation ($input: RegisterInput!) { register(input: $input) { accessToken } }`, {
      input: { email: `player${i}@example.test`, password: 'bench-password-1', displayName: `Player ${i}` },
    });
    const token = register.accessToken;
    await gql(
      gateway,
      `mutation ($input: SubscribeToPlanInput!) { subscribeToPlan(input: $input) { status } }`,
      {
        input: { planCode: 'STANDARD', paymentToken: 'tok_visa', idempotencyKey: randomUUID() },
      },
      token,
    );
    const { startPlayback } = await gql(
      gateway,
      `mutation ($input: StartPlaybackInput!) { startPlayback(input: $input) { id } }`,
      {
        input: { contentId: titles[i % titles.length], device: `bench-${i}` },
      },
      token,
    );
    players.push({ token, sessionId: startPlayback.id });
  }
  // Starts spread over the titles, so trending has something to rank.
  for (let i = 0; i < 200; i++) {
    const player = players[i % players.length];
    await gql(gateway, `mutation ($id: ID!) { stopPlayback(sessionId: $id) { id } }`, { id: player.sessionId }, player.token);
    const { startPlayback } = await gql(
      gateway,
      `mutation ($input: StartPlaybackInput!) { startPlayback(input: $input) { id } }`,
      {
        input: { contentId: titles[(i * 7) % Math.min(titles.length, 25)], device: 'bench' },
      },
      player.token,
    );
    player.sessionId = startPlayback.id;
  }
  const heartbeats = players.map(({ token, sessionId }, i) => ({
    query: HEARTBEAT,
    variables: { input: { sessionId, positionSeconds: 60 + i, state: 'PLAYING' } },
    token,
  }));

  const trending = await gql(gateway, TRENDING);
  if (trending.trending.length !== 10 || trending.trending.some((t) => !t.title)) throw new Error(`unexpected trending answer: ${JSON.stringify(trending)}`);
  // Warm the query plans, the merged 7-day list and catalog's entity caches.
  for (let i = 0; i < 200; i++) await gql(gateway, TRENDING);
  for (let i = 0; i < 100; i++) await gql(gateway, HEARTBEAT, heartbeats[0].variables, heartbeats[0].token);

  const load = loadAverage();
  const results = [
    await measure('heartbeat via gateway, 1 connection', gateway, [heartbeats[0]], 1, DURATION),
    await measure(`heartbeat via gateway, ${CONNECTIONS} connections (${CONNECTIONS} members)`, gateway, heartbeats, CONNECTIONS, DURATION),
    await measure('trending (warm) via gateway, 1 connection', gateway, [{ query: TRENDING }], 1, Math.min(DURATION, 10)),
    await measure(`trending (warm) via gateway, ${CONNECTIONS} connections`, gateway, [{ query: TRENDING }], CONNECTIONS, Math.min(DURATION, 10)),
    await measure('hop: streaming `trending` alone, 1 connection', subgraphs.streaming, [{ query: TRENDING_HOP }], 1, Math.min(DURATION, 10)),
    await measure('hop: streaming heartbeat alone, 1 connection', subgraphs.streaming, [heartbeats[1]], 1, Math.min(DURATION, 10)),
  ];
  console.log(resultsTable(results, load));
});
