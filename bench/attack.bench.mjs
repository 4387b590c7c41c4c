// A neighbour under attack: a signed-in member's home screen through the gateway, alone, then
// while an attacker floods the gateway with an alias bomb (refused while parsing) and while it
// sends heavy but legal queries (4 aliases of search(first: 100), within every limit).
// Starts the whole graph like the other benchmarks (full catalogue). The neighbour and one
// attacker are signed-in members, whose request budget the benchmark raises, so that what is
// measured is the limits on documents and on database work; a second attacker is anonymous
// and meets the default budget per address (300 a minute).
//
//   node bench/attack.bench.mjs [--duration 15] [--attackers 10]
import { parseArgs } from 'node:util';
import { gql, loadAverage, measure, withGraph } from './support/graph.mjs';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '15' },
    attackers: { type: 'string', default: '10' },
  },
});
const DURATION = Number(args.duration);
const ATTACKERS = Number(args.attackers);

const HOME = `query Home { me { myList(first: 20) { totalCount edges { node { addedAt content { title genres { name } ... on Movie { runtimeMinutes } } } } } } }`;
const BOMB = `{ ${Array.from({ length: 400 }, (_, i) => `a${i}: search(query: "a", first: 100) { id title }`).join(' ')} }`;
// Distinct search terms, so nothing of it is answered from a cache. Each search scans the
// catalogue on the embedded database (about a second): 4 of them are a request of ~3 s.
const HEAVY_ALIASES = 4;
const HEAVY = `{ ${Array.from({ length: HEAVY_ALIASES }, (_, i) => `s${i}: search(query: "${String.fromCharCode(97 + (i % 26))}${i}", first: 100) { id title releaseYear }`).join(' ')} }`;

const signUp = async (gateway, name) =>
  (
    await gql(gateway, `mutation ($input: RegisterInput!) { register(input: $input) { accessToken } }`, {
      input: { email: `${name}@example.test`, password: 'bench-password-1', displayName: name },
    })
  ).register.accessToken;

await withGraph({ env: { GATEWAY_REQUESTS_PER_MINUTE_ANONYMOUS: '300' } }, async ({ gateway }) => {
  const token = await signUp(gateway, 'neighbour');
  const attacker = await signUp(gateway, 'attacker');
  const { browse } = await gql(gateway, `{ browse(first: 20) { edges { node { id } } } }`);
  for (const { node } of browse.edges) await gql(gateway, `mutation ($id: ID!) { addToMyList(contentId: $id) { id } }`, { id: node.id }, token);
  for (let i = 0; i < 200; i++) await gql(gateway, HOME, {}, token);
  const refused = await fetch(gateway, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${attacker}` },
    body: JSON.stringify({ query: BOMB }),
  });
  if (refused.status !== 400) throw new Error(`the bomb was not refused: ${refused.status}`);
  await gql(gateway, HEAVY, {}, attacker);

  const load = loadAverage();
  const neighbour = (title) => measure(title, gateway, [{ query: HOME, token }], 1, DURATION);
  const rows = [];
  rows.push({ scenario: 'alone', neighbour: await neighbour('alone') });
  for (const [scenario, query, as] of [
    [`${ATTACKERS} connections of a member sending the 400-alias bomb (refused while parsing, 400)`, BOMB, attacker],
    [`${ATTACKERS} anonymous connections sending the bomb (the default budget answers 429 past 300 a minute)`, BOMB, undefined],
    [`${ATTACKERS} connections of a member sending ${HEAVY_ALIASES} × search(first: 100), legal (cost ${HEAVY_ALIASES * 300})`, HEAVY, attacker],
  ]) {
    // The attacker's answers are errors by design (refusals, or slow answers): counted apart.
    const [attack, seen] = await Promise.all([measure('attacker', gateway, [{ query, token: as }], ATTACKERS, DURATION), neighbour(scenario)]);
    rows.push({ scenario, neighbour: seen, attack });
  }
  console.log(
    [
      `Load average before measuring: ${load}`,
      '',
      '| while the attacker sends | neighbour p50 ms | neighbour p99 ms | neighbour req/s | neighbour errors | attacker req/s | attacker p50 ms |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows.map(
        ({ scenario, neighbour: n, attack: a }) => `| ${scenario} | ${n.p50} | ${n.p99} | ${n.rps} | ${n.errors} | ${a ? a.rps : '–'} | ${a ? a.p50 : '–'} |`,
      ),
    ].join('\n'),
  );
});
