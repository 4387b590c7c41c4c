import { resolve } from 'node:path';

/**
 * The one list of the graph's subgraphs, with the URL each listens on locally. Deployments
 * override a URL with the variable named here (e.g. USERS_URL=http://users:4001/graphql).
 *
 * Adding a subgraph is one entry here (README "Adding a subgraph"): the gateway's
 * configuration, schema generation (tools/schema), the test stack, `npm start` and the
 * benchmarks read this list, and gateway/test/registry.test.ts holds docker-compose.yml to it.
 */
export const SUBGRAPHS = [
  { name: 'users', url: 'http://localhost:4001/graphql', urlVariable: 'USERS_URL' },
  { name: 'catalog', url: 'http://localhost:4002/graphql', urlVariable: 'CATALOG_URL' },
  { name: 'my-list', url: 'http://localhost:4003/graphql', urlVariable: 'MY_LIST_URL' },
  { name: 'ratings', url: 'http://localhost:4004/graphql', urlVariable: 'RATINGS_URL' },
  { name: 'streaming', url: 'http://localhost:4005/graphql', urlVariable: 'STREAMING_URL' },
  { name: 'billing', url: 'http://localhost:4006/graphql', urlVariable: 'BILLING_URL' },
] as const;

export type SubgraphName = (typeof SUBGRAPHS)[number]['name'];

/**
 * Where a subgraph's code lives: subgraphs/<name>, whose src/index.ts exports `start(env)`
 * and src/schema.ts `buildSchema()`.
 */
export function subgraphModule(name: SubgraphName, module: 'index' | 'schema'): string {
  return resolve(__dirname, '../../subgraphs', name, 'src', `${module}.ts`);
}
