/**
 * The subgraphs the gateway composes, with the URL each listens on locally. Deployments
 * override a URL with the variable named here (e.g. USERS_URL=http://users:4001/graphql).
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
