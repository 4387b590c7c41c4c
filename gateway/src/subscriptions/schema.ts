import { extendSchema, Kind, parse, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';

/**
 * The gateway's own root type: @apollo/gateway executes queries and mutations only, so
 * subscriptions stay out of composition (and out of the supergraph Apollo Router would load)
 * and are added to the API schema here. Each field is answered, per event, by running the
 * subscriber's selection as `playbackSession(id:)` through the graph.
 */
export const SUBSCRIPTION_SDL = `
"""Live updates, over graphql-ws (the graphql-transport-ws protocol) at the gateway's /graphql."""
type Subscription {
  """
  Every change of one playback session (start, heartbeat, pause, end), as its owner (or an ADMIN) would read it.
  Anyone else gets NOT_FOUND and no events.
  """
  playbackSessionUpdated(sessionId: ID!): PlaybackSession!
  """Every change to any playback session of the signed-in member: starts, heartbeats, pauses, stops and expiries."""
  myPlaybackSessions: PlaybackSession!
}

extend schema { subscription: Subscription }
`;

export const SUBSCRIPTION_FIELDS = ['playbackSessionUpdated', 'myPlaybackSessions'] as const;
export type SubscriptionField = (typeof SUBSCRIPTION_FIELDS)[number];

const extension = parse(SUBSCRIPTION_SDL);
const extended = new WeakMap<GraphQLSchema, GraphQLSchema>();

/**
 * The API schema with the gateway's Subscription type (memoized per schema). A supergraph
 * without streaming (some tests compose a few subgraphs only) has nothing to subscribe to.
 */
export function withSubscriptions(apiSchema: GraphQLSchema): GraphQLSchema {
  if (!apiSchema.getType('PlaybackSession')) return apiSchema;
  let schema = extended.get(apiSchema);
  if (!schema) {
    schema = extendSchema(apiSchema, extension, { assumeValidSDL: false });
    extended.set(apiSchema, schema);
  }
  return schema;
}

/** An operation whose root fields are all introspection (`__schema`, `__type`, `__typename`): the gateway answers it itself. */
export function isIntrospectionOnly(operation: OperationDefinitionNode, document: DocumentNode): boolean {
  const fragments = new Map(document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const rootFieldNames = (selections: OperationDefinitionNode['selectionSet']['selections'], seen: Set<string>): string[] =>
    selections.flatMap((selection) => {
      if (selection.kind === Kind.FIELD) return [selection.name.value];
      if (selection.kind === Kind.INLINE_FRAGMENT) return rootFieldNames(selection.selectionSet.selections, seen);
      const fragment = fragments.get(selection.name.value);
      if (!fragment || seen.has(fragment.name.value)) return [];
      return rootFieldNames(fragment.selectionSet.selections, new Set([...seen, fragment.name.value]));
    });
  const names = rootFieldNames(operation.selectionSet.selections, new Set());
  return names.length > 0 && names.every((name) => name.startsWith('__'));
}
