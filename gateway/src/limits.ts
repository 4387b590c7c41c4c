import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { badInput } from '@ott/kit';

function depthOf(
  selectionSet: SelectionSetNode | undefined,
  fragments: Record<string, FragmentDefinitionNode>,
  visiting: Set<string>,
): number {
  if (!selectionSet) return 0;
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    let depth = 0;
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith('__')) continue;
      depth = 1 + depthOf(selection.selectionSet, fragments, visiting);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      depth = depthOf(selection.selectionSet, fragments, visiting);
    } else {
      const name = selection.name.value;
      const fragment = fragments[name];
      if (!fragment || visiting.has(name)) continue;
      visiting.add(name);
      depth = depthOf(fragment.selectionSet, fragments, visiting);
      visiting.delete(name);
    }
    deepest = Math.max(deepest, depth);
  }
  return deepest;
}

/**
 * Refuses an operation nested deeper than `maxDepth` before any subgraph is called, so one
 * request cannot fan out without bound (e.g. similar → similar → similar …).
 * Introspection fields (`__schema`, `__type`) do not count, so Sandbox keeps working.
 */
export function assertDepth(document: DocumentNode, operation: OperationDefinitionNode, maxDepth: number): void {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  const depth = depthOf(operation.selectionSet, fragments, new Set());
  if (depth > maxDepth) throw badInput('query', `is nested ${depth} levels deep; the limit is ${maxDepth}.`);
}

/** The depth limit for every HTTP request (subscriptions apply `assertDepth` when they subscribe). */
export function depthLimitPlugin(maxDepth: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document }) {
          if (operation) assertDepth(document, operation, maxDepth);
        },
      };
    },
  };
}
