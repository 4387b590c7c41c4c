// Benchmark of the home-screen query: `me { myList(first: 20) { … content { title genres … } } }`
// through the gateway, crossing users → my-list → catalog, with a 20-item list and a warm cache.
// Starts its own embedded database, Redis, the catalogue, every subgraph and the gateway as
// separate processes on free ports, like `npm start`; stops them all at the end.
//
//   node bench/mylist.bench.mjs [--duration 20] [--connections 50] [--profile-gateway DIR]
//
// Prints a Markdown block for bench/RESULTS.md. Bounded: every scenario has a fixed duration.
import { parseArgs } from 'node:util';
import { gql, loadAverage, measure, resultsTable, withGraph } from './support/graph.mjs';

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

const HOME = `query Home { me { myList(first: 20) { totalCount edges { node { addedAt content { title genres { name } ... on Movie { runtimeMinutes } } } } } } }`;
// What the gateway sends each subgraph for HOME (its query plan), to see where the time goes.
const USERS_HOP = `{ me { __typename id } }`;
const CATALOG_HOP = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Content { __typename title genres { name } ... on Movie { runtimeMinutes } } } }`;
const SUBGRAPH_PAGE = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { myList(first: 20) { totalCount edges { node { addedAt content { id } } } } } } }`;

const gatewayNodeOptions = args['profile-gateway'] ? ['--cpu-prof', `--cpu-prof-dir=${args['profile-gateway']}`] : [];

await withGraph({ gatewayNodeOptions }, async ({ gateway, subgraphs }) => {
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
  const load = loadAverage();
  const results = [
    await measure('home screen via gateway, 1 connection', gateway, [{ query: HOME, token }], 1, DURATION),
    await measure(`home screen via gateway, ${CONNECTIONS} connections`, gateway, [{ query: HOME, token }], CONNECTIONS, DURATION),
    await measure(
      'my-list subgraph cached page (_entities), 1 connection',
      subgraphs['my-list'],
      [{ query: SUBGRAPH_PAGE, variables: { reps }, token }],
      1,
      Math.min(DURATION, 10),
    ),
    await measure('gateway with one hop: `me { id }`, 1 connection', gateway, [{ query: `{ me { id } }`, token }], 1, Math.min(DURATION, 10)),
    await measure('hop: users `me`, 1 connection', subgraphs.users, [{ query: USERS_HOP, token }], 1, Math.min(DURATION, 10)),
    await measure(
      'hop: catalog `_entities` × 20 contents, 1 connection',
      subgraphs.catalog,
      [{ query: CATALOG_HOP, variables: { representations: contentReps }, token }],
      1,
      Math.min(DURATION, 10),
    ),
  ];

  console.log(resultsTable(results, load));
});
