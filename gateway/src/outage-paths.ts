import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError, Kind, parse, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import type { GatewayContext } from './context';

type SubgraphResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;
type ErrorPath = (string | number)[];

/**
 * The response keys a selection set asks of an object of `typename`: its fields, and those of
 * the fragments that apply to it (all of them when `typename` is unknown).
 */
function responseKeys(
  selectionSet: SelectionSetNode,
  typename: string | undefined,
  fragments: Map<string, FragmentDefinitionNode>,
  keys = new Set<string>(),
): Set<string> {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value !== '__typename') keys.add(selection.alias?.value ?? selection.name.value);
      continue;
    }
    const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(selection.name.value);
    if (!fragment) continue;
    const on = fragment.typeCondition?.name.value;
    if (on === undefined || typename === undefined || on === typename) responseKeys(fragment.selectionSet, typename, fragments, keys);
  }
  return keys;
}

/**
 * Where in the subgraph's own answer the fields of a call would have been, as the subgraph
 * itself would name them in its errors: `[field]` at the root, `['_entities', i, field]` per
 * entity, which @apollo/gateway then maps onto the client's response.
 */
export function fieldPathsOf(document: DocumentNode, variables: Record<string, unknown> | undefined): ErrorPath[] {
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation) return [];
  const fragments = new Map(document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const entities = operation.selectionSet.selections.find((s) => s.kind === Kind.FIELD && s.name.value === '_entities');
  const representations = variables?.representations;
  if (entities?.kind !== Kind.FIELD || !entities.selectionSet || !Array.isArray(representations)) {
    return [...responseKeys(operation.selectionSet, undefined, fragments)].map((key) => [key]);
  }
  const paths: ErrorPath[] = [];
  representations.forEach((representation: unknown, index) => {
    const typename = (representation as { __typename?: unknown } | null)?.__typename;
    let keys = responseKeys(entities.selectionSet!, typeof typename === 'string' ? typename : undefined, fragments);
    if (keys.size === 0) keys = responseKeys(entities.selectionSet!, undefined, fragments);
    for (const key of keys) paths.push(['_entities', index, key]);
  });
  return paths;
}

/**
 * A subgraph call that failed as a whole (unreachable, cut off, not a GraphQL answer) becomes
 * one error per field it would have answered, each with that field's path, instead of a single
 * error with none: the client sees which fields are null and why, and every other field of the
 * answer stands (the fields an entity receives from another subgraph are nullable for this).
 */
export class OutagePaths implements GraphQLDataSource<GatewayContext> {
  constructor(private readonly inner: GraphQLDataSource<GatewayContext>) {}

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphResponse> {
    try {
      return await this.inner.process(options);
    } catch (error) {
      if (!(error instanceof GraphQLError) || error.path) throw error;
      const document = 'document' in options && options.document ? options.document : options.request.query ? parse(options.request.query) : undefined;
      const paths = document ? fieldPathsOf(document, options.request.variables) : [];
      if (paths.length === 0) throw error;
      return {
        errors: paths.map((path) => new GraphQLError(error.message, { path, originalError: error.originalError ?? error, extensions: error.extensions })),
      };
    }
  }
}
