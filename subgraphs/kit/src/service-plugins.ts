import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { ServiceContext } from './http';
import type { Logger } from './logger';
import type { ServiceMetrics } from './metrics';

// The Apollo Server plugins every service runs (createGraphQLApp): refusing a token that did
// not verify, and one log line and one metric per operation.

/** Refuses a request whose Authorization header did not verify, before anything resolves. */
export function authErrorPlugin<C extends ServiceContext>(status: 200 | 401): ApolloServerPlugin<C> {
  return {
    async requestDidStart({ contextValue }) {
      if (!contextValue.authError) return;
      const error = contextValue.authError;
      return {
        async didResolveOperation() {
          throw new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status } } });
        },
      };
    },
  };
}

/**
 * Logs one line per operation (name, duration and error codes, never variables or tokens) and counts it in the
 * service's metrics under the name the document gave it; a subscription's update (`subscriptionUpdate`) is no request.
 */
export function requestLogPlugin<C extends ServiceContext>(logger: Logger, metrics: ServiceMetrics): ApolloServerPlugin<C> {
  return {
    async requestDidStart({ request, contextValue }) {
      const started = performance.now();
      return {
        async willSendResponse({ response, errors, operationName }) {
          const codes = errors?.map((e) => e.extensions?.code ?? 'UNKNOWN');
          const status = response.http.status ?? 200;
          const elapsedMs = performance.now() - started;
          if (!contextValue.subscriptionUpdate)
            metrics.observeRequest(operationName ?? request.operationName, elapsedMs / 1000, codes !== undefined || status >= 400);
          logger.info(
            {
              requestId: contextValue.requestId,
              operation: request.operationName ?? undefined,
              durationMs: Math.round(elapsedMs * 10) / 10,
              status,
              errors: codes?.length ? codes : undefined,
            },
            'graphql request',
          );
        },
      };
    },
  };
}
