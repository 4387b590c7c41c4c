import { buildSubgraphSchema, printSubgraphSchema } from '@apollo/subgraph';
import { MapperKind, mapSchema, printSchemaWithDirectives } from '@graphql-tools/utils';
import type { GraphQLSchema } from 'graphql';
import gql from 'graphql-tag';
import { allow, type IRules } from 'graphql-shield';
import merge from 'lodash.merge';
import { GraphQLDateTime } from 'graphql-scalars';
import { buildSchema, createResolversMap, type BuildSchemaOptions } from 'type-graphql';
import { guardSchema } from './guard';

export type FederationDirective =
  '@key' | '@shareable' | '@external' | '@requires' | '@provides' | '@interfaceObject' | '@inaccessible' | '@tag' | '@cost' | '@listSize';

/** `{ Type: { field: resolver } }`, as @apollo/subgraph takes resolvers (its package does not export the type). */
type ResolverMap = NonNullable<Extract<Parameters<typeof buildSubgraphSchema>[0], { typeDefs: unknown }>['resolvers']>;

export interface SubgraphSchemaOptions {
  resolvers: BuildSchemaOptions['resolvers'];
  orphanedTypes?: BuildSchemaOptions['orphanedTypes'];
  /** `__resolveReference` (and `__resolveType`) per entity, kept in `<entity>.reference.ts`. */
  referenceResolvers?: ResolverMap;
  /** graphql-shield rules for every type this subgraph serves; anything unlisted is denied. */
  permissions: IRules;
  /** Federation directives the subgraph's own types use (the kit adds those its types use). */
  federationDirectives: FederationDirective[];
}

/**
 * What the kit's own types use: PageInfo is @shareable; the cache-control scope enum is
 * @inaccessible; every subgraph sizes its lists and weighs its costly fields (demand-control.ts).
 */
const KIT_DIRECTIVES: FederationDirective[] = ['@shareable', '@inaccessible', '@cost', '@listSize'];

/**
 * Apollo's `@cacheControl`, declared in every subgraph so types and fields can carry cache
 * hints (`@Directive('@cacheControl(maxAge: 60)')`); the subgraph's Cache-Control header then
 * bounds the gateway's response policy. The scope enum stays out of the public API.
 */
const CACHE_CONTROL_TYPE_DEFS = `
  enum CacheControlScope @inaccessible { PUBLIC PRIVATE }
  directive @cacheControl(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION
`;

/**
 * type-graphql asks for a PubSub once a schema has a Subscription field, even one that gives its
 * own `subscribe` (as every one here does, over Redis): topics are never used.
 */
const NO_TOPICS: NonNullable<BuildSchemaOptions['pubSub']> = {
  publish: () => {
    throw new Error('Subscription fields give their own subscribe: topics are not used.');
  },
  subscribe: () => {
    throw new Error('Subscription fields give their own subscribe: topics are not used.');
  },
};

const FEDERATION_VERSION = 'https://specs.apollo.dev/federation/v2.9';

/**
 * Federation's own fields: `_service` serves the SDL to composition; `_entities` is open
 * because every entity field carries the same rule as its root field.
 */
const federationRules = {
  Query: { _service: allow, _entities: allow },
  _Service: allow,
};

const COST_DIRECTIVES = new Set(['cost', 'listSize']);

/**
 * The cost spec allows `@cost` and `@listSize` on object fields only. type-graphql copies an
 * interface's field directives to the types implementing it, so a field resolved on the
 * interface (`Content.similar`) declares its cost once and the interface's copy is dropped here.
 */
function withoutCostsOnInterfaces(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.INTERFACE_FIELD]: (field) => {
      if (!field.astNode) return field;
      const directives = field.astNode.directives?.filter((directive) => !COST_DIRECTIVES.has(directive.name.value));
      return { ...field, astNode: { ...field.astNode, directives } };
    },
  });
}

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
    pubSub: NO_TOPICS,
  });

  const imports = [...new Set([...KIT_DIRECTIVES, ...options.federationDirectives])].map((d) => `"${d}"`).join(', ');
  const subgraph = buildSubgraphSchema([
    {
      typeDefs: gql`
        extend schema @link(url: "${FEDERATION_VERSION}", import: [${imports}])
        ${CACHE_CONTROL_TYPE_DEFS}
        ${printSchemaWithDirectives(withoutCostsOnInterfaces(typeGraphQLSchema))}
      `,
      resolvers: merge(createResolversMap(typeGraphQLSchema), options.referenceResolvers ?? {}) as ResolverMap,
    },
  ]);

  return guardSchema(subgraph, merge({}, federationRules, options.permissions));
}

export function printSubgraphSdl(schema: GraphQLSchema): string {
  return printSubgraphSchema(schema);
}
