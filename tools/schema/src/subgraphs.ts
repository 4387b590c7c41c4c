import type { GraphQLSchema } from 'graphql';
import { printSubgraphSdl } from '@ott/kit';
import { SUBGRAPHS, subgraphModule, type SubgraphName } from '@ott/gateway/subgraphs';
import type { SubgraphSdl } from '@ott/gateway/compose';

/** A subgraph's schema, built from its code (subgraphs/<name>/src/schema.ts). */
export async function buildSubgraphSchema(name: SubgraphName): Promise<GraphQLSchema> {
  const { buildSchema } = (await import(subgraphModule(name, 'schema'))) as { buildSchema(): Promise<GraphQLSchema> };
  return buildSchema();
}

/** Every registered subgraph's SDL, at its local URL (what schema/ commits). */
export function subgraphSdls(): Promise<SubgraphSdl[]> {
  return Promise.all(SUBGRAPHS.map(async ({ name, url }) => ({ name, url, sdl: printSubgraphSdl(await buildSubgraphSchema(name)) })));
}
