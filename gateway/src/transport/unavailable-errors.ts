import { GraphQLError } from 'graphql';
import { ClientGone, type SubgraphCall, type SubgraphHook } from './subgraph-call';

/**
 * A call that fails (unreachable, cut off, not HTTP 2xx, not JSON) is an error naming the
 * subgraph, SUBGRAPH_UNAVAILABLE: the error formatter tells the client that part of the graph
 * is unavailable, and logs the cause. A caller whose client left is not told anything.
 */
export const unavailableErrors: SubgraphHook = {
  failed({ subgraph }: SubgraphCall, error: Error): Error {
    if (error instanceof ClientGone) return error;
    const cause = error instanceof SyntaxError ? new Error('the answer is not JSON') : error;
    return new GraphQLError(`the ${subgraph} subgraph did not answer: ${cause.message}`, {
      originalError: cause,
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: subgraph },
    });
  },
};
