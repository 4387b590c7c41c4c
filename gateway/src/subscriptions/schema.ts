import { Kind, type DocumentNode, type OperationDefinitionNode } from 'graphql';

/**
 * The Subscription fields the gateway executes itself. Streaming declares them (so the
 * supergraph carries them for any router); the gateway answers each event by running the
 * subscriber's selection as `playbackSession(id:)` through the graph, over its own Redis
 * fan-out. A field the supergraph adds beyond these is refused until the gateway serves it.
 */
export const SUBSCRIPTION_FIELDS = ['playbackSessionUpdated', 'myPlaybackSessions'] as const;
export type SubscriptionField = (typeof SUBSCRIPTION_FIELDS)[number];

export const isServedSubscription = (name: string): name is SubscriptionField => (SUBSCRIPTION_FIELDS as readonly string[]).includes(name);

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
