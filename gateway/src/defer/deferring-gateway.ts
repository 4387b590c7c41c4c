import { ApolloGateway, type GatewayConfig, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import { HeaderMap, type ApolloServerPlugin, type GraphQLRequestContext } from '@apollo/server';
import type { GatewayGraphQLRequestContext, GatewaySchemaLoadOrUpdateCallback } from '@apollo/server-gateway-interface';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { createErrorFormatter, type Logger } from '@ott/kit';
import { SUBGRAPH_ERROR_CODES } from '../error-codes';
import type { Admission } from '../client-concurrency';
import type { GatewayContext } from '../context';
import { withFieldCosts } from '../field-costs';
import { labelDefers, usesDefer } from './document';
import { runDeferred } from './execute';
import { acceptsDeferredParts } from './negotiation';
import { DeferPlanner } from './plan';
import { withDefer } from './schema';

/**
 * @apollo/gateway, with @defer. Its own executor cannot run a plan with deferred parts (its
 * executeQueryPlan asserts on a Defer node), and Apollo Server on graphql 16 does not execute
 * @defer itself, so:
 *
 * - the API schema declares @defer (for validation, Sandbox and codegen);
 * - `plugin()` answers a query using @defer whose client accepts the deferSpec=20220824
 *   multipart format: planned by @apollo/query-planner with `incrementalDelivery.enableDefer`,
 *   the primary part executed and sent, each deferred part executed after it (execute.ts),
 *   and Apollo Server writes the parts as multipart/mixed;
 * - every other request runs on the gateway's own executor, whose planner leaves @defer out:
 *   a client that takes JSON gets every field in one answer.
 */
export class DeferringGateway extends ApolloGateway {
  private readonly deferSourceMap: Map<string, GraphQLDataSource>;
  private deferPlanner: DeferPlanner | undefined;

  constructor(config: GatewayConfig & { buildService: NonNullable<GatewayConfig['buildService']> }) {
    const sources = new Map<string, GraphQLDataSource>();
    super({
      ...config,
      buildService: (definition) => {
        const source = config.buildService(definition);
        sources.set(definition.name, source);
        return source;
      },
    });
    this.deferSourceMap = sources;
  }

  override onSchemaLoadOrUpdate(callback: GatewaySchemaLoadOrUpdateCallback) {
    return super.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => {
      this.deferPlanner = new DeferPlanner(coreSupergraphSdl);
      // Costs ride on the schema every request is validated against (limits.ts reads them).
      callback({ apiSchema: withFieldCosts(withDefer(apiSchema), coreSupergraphSdl), coreSupergraphSdl });
    });
  }

  /**
   * Answers deferred queries in parts. Placed before any plugin that answers from elsewhere
   * (the response cache): a deferred query is never kept or answered whole from there.
   * `admit` takes the client's concurrency slot, held until the last part is sent.
   */
  plugin(admit: Admission, logger: Logger): ApolloServerPlugin<GatewayContext> {
    const formatter = createErrorFormatter(logger, SUBGRAPH_ERROR_CODES);
    const format = (error: unknown): GraphQLFormattedError => {
      const graphQLError =
        error instanceof GraphQLError ? error : new GraphQLError('Unexpected error value', { originalError: error instanceof Error ? error : undefined });
      const formatted = graphQLError.toJSON();
      return formatter({ ...formatted, extensions: { ...formatted.extensions, code: formatted.extensions?.code ?? 'INTERNAL_SERVER_ERROR' } }, graphQLError);
    };
    return {
      requestDidStart: async () => ({
        responseForOperation: async (requestContext) => {
          const { operation, document, request, schema, contextValue } = requestContext;
          const planner = this.deferPlanner;
          if (!planner || operation.operation !== 'query' || !usesDefer(document)) return null;
          const accepted = acceptsDeferredParts(request.http?.headers.get('accept'));
          if (accepted === 'json') return null;
          if (accepted === 'neither') return notAcceptable();
          const labelled = labelDefers(schema, document, operation, request.variables);
          if (!labelled) return null;
          let root;
          try {
            root = planner.plan(document, labelled.document, request.operationName ?? undefined, [...labelled.defers.keys()].join(','));
          } catch (error) {
            // The gateway's own planner leaves @defer out: the client gets every field in one answer.
            logger.warn({ err: error, requestId: contextValue.requestId }, 'could not plan @defer: answering in one part');
            return null;
          }
          if (!root) return null;
          // Refused: the gateway's executor refuses it the same way (429, Retry-After).
          const release = admit(contextValue);
          if (release instanceof GraphQLError) return null;
          const run = await runDeferred(
            {
              planner,
              sources: this.deferSources(),
              schema,
              document: labelled,
              operationName: request.operationName ?? undefined,
              requestContext: gatewayRequestContext(requestContext, logger),
            },
            root,
            format,
            () => contextValue.signal?.aborted === true,
            release,
          );
          return {
            http: { status: undefined, headers: new HeaderMap() },
            body: { kind: 'incremental', initialResult: run.initial, subsequentResults: run.subsequent },
          };
        },
      }),
    };
  }

  private deferSources(): ServiceMap {
    return Object.fromEntries(this.deferSourceMap);
  }
}

/** What executeQueryPlan and the data sources read of the request (Apollo Server builds the same for its gateway executor). */
function gatewayRequestContext(requestContext: GraphQLRequestContext<GatewayContext>, logger: Logger): GatewayGraphQLRequestContext {
  const { request, contextValue, document, source, operationName, operation, queryHash, metrics, overallCachePolicy, schema, requestIsBatched, cache } =
    requestContext;
  return {
    request: { query: request.query, operationName: request.operationName, variables: request.variables, extensions: request.extensions },
    logger,
    schema,
    schemaHash: 'unused' as GatewayGraphQLRequestContext['schemaHash'],
    context: contextValue,
    queryHash,
    document,
    source,
    operationName,
    operation,
    metrics,
    overallCachePolicy,
    requestIsBatched,
    cache,
  } as GatewayGraphQLRequestContext;
}

/** A client that takes neither JSON nor the deferSpec=20220824 parts (e.g. `Accept: multipart/mixed` alone). */
function notAcceptable() {
  const message =
    'This operation uses @defer: accept its parts with `Accept: multipart/mixed;deferSpec=20220824`, or JSON (`application/json`) to get every field in one answer.';
  const error: GraphQLFormattedError = { message, extensions: { code: 'BAD_REQUEST' } };
  return {
    http: { status: 406, headers: new HeaderMap([['content-type', 'application/json; charset=utf-8']]) },
    body: { kind: 'single' as const, singleResult: { errors: [error] } },
  };
}
