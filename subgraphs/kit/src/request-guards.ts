import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError } from 'graphql';

/**
 * How deep the variables of a request may nest. Our deepest input is a few levels (a filter
 * holding a list); past this, code that walks the value (a cache key, a cost estimate, a log
 * line) could run out of stack, so the request is refused before anything reads it.
 */
export const MAX_VARIABLES_DEPTH = 32;

/** How deep `value` nests objects and arrays, counted without recursion and given up past `limit`. */
export function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (current === null || typeof current !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Object.values(current)) if (child !== null && typeof child === 'object') pending.push([child, depth + 1]);
  }
  return deepest;
}

/** The refusal of variables nested deeper than MAX_VARIABLES_DEPTH (BAD_USER_INPUT), or undefined. */
export function variablesDepthError(variables: unknown): GraphQLError | undefined {
  if (nestingDepth(variables, MAX_VARIABLES_DEPTH) <= MAX_VARIABLES_DEPTH) return undefined;
  return new GraphQLError(`The variables nest deeper than ${MAX_VARIABLES_DEPTH} levels; no input of this API does.`, {
    extensions: { code: 'BAD_USER_INPUT', limit: 'variablesDepth', max: MAX_VARIABLES_DEPTH },
  });
}

/**
 * A document whose operation cannot be chosen (several operations and no operationName, or a
 * name it does not hold) is the client's mistake: refused with 400 OPERATION_RESOLUTION_FAILURE
 * as soon as it is known, before a plugin or the gateway's executor looks for the operation.
 */
export function operationResolutionPlugin<C extends BaseContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request }) {
          if (operation) return;
          const operations = document.definitions.filter((d) => d.kind === 'OperationDefinition');
          const message = request.operationName
            ? `The document holds no operation named "${request.operationName}".`
            : operations.length > 1
              ? 'The document holds several operations: name the one to run in operationName.'
              : 'The document holds no operation to run.';
          throw new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } } });
        },
      };
    },
  };
}
