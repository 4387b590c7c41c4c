import { buildSubgraphSchema, printSubgraphSchema, type GraphQLResolverMap } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import type { GraphQLSchema } from 'graphql';
import gql from 'graphql-tag';
import { applyMiddleware } from 'graphql-middleware';
import { allow, deny, shield, type IRules } from 'graphql-shield';
import merge from 'lodash.merge';
import { GraphQLDateTime } from 'graphql-scalars';
import { buildSchema, createResolversMap, type BuildSchemaOptions } from 'type-graphql';
import { forbidden } from './errors';

export type FederationDirective =
  | '@key'
  | '@shareable'
  | '@external'
  | '@requires'
  | '@provides'
  | '@interfaceObject'
  | '@inaccessible'
  | '@tag';

export interface SubgraphSchemaOptions {
  resolvers: BuildSchemaOptions['resolvers'];
  orphanedTypes?: BuildSchemaOptions['orphanedTypes'];
  /** `__resolveReference` (and `__resolveType`) per entity, kept in `<entity>.reference.ts`. */
  referenceResolvers?: GraphQLResolverMap<unknown>;
  /** graphql-shield rules for every type this subgraph serves; anything unlisted is denied. */
  permissions: IRules;
  /** Every federation directive the subgraph uses must be imported in its @link. */
  federationDirectives: FederationDirective[];
  /**
   * Declares Apollo's `@cacheControl`, so types and fields can carry cache hints
   * (`@Directive('@cacheControl(maxAge: 60)')`). The subgraph's Cache-Control header then
   * restricts the gateway's response policy. Needs '@inaccessible' in federationDirectives:
   * the scope enum stays out of the public API.
   */
  cacheControl?: boolean;
}

const CACHE_CONTROL_TYPE_DEFS = `
  enum CacheControlScope @inaccessible { PUBLIC PRIVATE }
  directive @cacheControl(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION
`;

const FEDERATION_VERSION = 'https://specs.apollo.dev/federation/v2.7';

/**
 * Federation's own fields: `_service` serves the SDL to composition; `_entities` is open
 * because every entity field carries the same rule as its root field.
 */
const federationRules = {
  Query: { _service: allow, _entities: allow },
  _Service: allow,
};

/** type-graphql classes → a federation 2 subgraph schema guarded by graphql-shield. */
export async function buildFederatedSchema(options: SubgraphSchemaOptions): Promise<GraphQLSchema> {
  const typeGraphQLSchema = await buildSchema({
    resolvers: options.resolvers,
    orphanedTypes: options.orphanedTypes,
    validate: false,
    // The contract's scalar is `DateTime` (type-graphql would name it DateTimeISO).
    scalarsMap: [{ type: Date, scalar: GraphQLDateTime }],
    emitSchemaFile: false,
    skipCheck: true,
  });

  const imports = options.federationDirectives.map((d) => `"${d}"`).join(', ');
  const subgraph = buildSubgraphSchema([
    {
      typeDefs: gql`
        extend schema @link(url: "${FEDERATION_VERSION}", import: [${imports}])
        ${options.cacheControl ? CACHE_CONTROL_TYPE_DEFS : ''}
        ${printSchemaWithDirectives(typeGraphQLSchema)}
      `,
      resolvers: merge(createResolversMap(typeGraphQLSchema), options.referenceResolvers ?? {}) as GraphQLResolverMap<unknown>,
    },
  ]);

  const permissions = shield(merge({}, federationRules, options.permissions), {
    fallbackRule: deny,
    fallbackError: () => forbidden(),
    allowExternalErrors: true,
    debug: false,
  });
  return applyMiddleware(subgraph, permissions);
}

export function printSubgraphSdl(schema: GraphQLSchema): string {
  return printSubgraphSchema(schema);
}
