import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner, type PlanNode, type QueryPlan } from '@apollo/query-planner';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';

const supergraph = Supergraph.build(readFileSync(resolve(__dirname, '../../schema/supergraph.graphql'), 'utf8'));
const planner = new QueryPlanner(supergraph);

/** The subgraphs a query's plan calls, in order (all plans here are sequences of fetches). */
function fetches(query: string): string[] {
  const plan: QueryPlan = planner.buildQueryPlan(operationFromDocument(supergraph.schema, parse(query)));
  const services: string[] = [];
  const walk = (node: PlanNode | undefined): void => {
    if (!node) return;
    if (node.kind === 'Fetch') services.push(node.serviceName);
    else if (node.kind === 'Flatten') walk(node.node);
    else if (node.kind === 'Sequence' || node.kind === 'Parallel') node.nodes.forEach(walk);
  };
  if (plan.node?.kind !== 'Subscription') walk(plan.node);
  return services;
}

describe('query plans of the hot paths', () => {
  it('answers the home screen’s list in two hops: my-list, then catalog', () => {
    const home = `{ me { myList(first: 20) { totalCount edges { node { addedAt content { title genres { name } ... on Movie { runtimeMinutes } } } } } } }`;
    expect(fetches(home)).toEqual(['my-list', 'catalog']);
  });

  it('still asks users for the account’s own fields', () => {
    expect(fetches(`{ me { email displayName myListStats { total } } }`)).toEqual(['users', 'my-list']);
  });

  it('answers trending in two hops: streaming ranks, catalog describes', () => {
    expect(fetches(`{ trending(first: 10) { id title posterUrl } }`)).toEqual(['streaming', 'catalog']);
  });

  it('sends a heartbeat to streaming alone', () => {
    expect(fetches(`mutation ($input: UpdatePlaybackInput!) { updatePlayback(input: $input) { id state positionSeconds version } }`)).toEqual(['streaming']);
  });
});
