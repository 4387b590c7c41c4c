import type { ApolloGateway } from '@apollo/gateway';
import type { GatewayExecutor, GatewayInterface, GatewaySchemaLoadOrUpdateCallback } from '@apollo/server-gateway-interface';
import { execute, GraphQLError, type GraphQLSchema } from 'graphql';
import type { Admission } from '../client-concurrency';
import type { GatewayContext } from '../context';
import { isIntrospectionOnly } from './schema';

/** What the client that left is answered (nobody reads it: it keeps the request's log line true, without an error logged). */
const CLIENT_GONE = new GraphQLError('The client closed the request before its answer: nothing was sent.', { extensions: { code: 'BAD_REQUEST' } });

/**
 * @apollo/gateway, with the gateway's Subscription type in the schema Apollo Server validates
 * and introspects against, so Sandbox and codegen see it over HTTP. Queries and mutations go
 * to the gateway's planner as before; introspection is answered from the extended schema;
 * a subscription sent over HTTP is refused with a pointer to the WebSocket endpoint.
 *
 * Every operation it runs, over HTTP or WebSocket, first takes its client's slot (`admit`,
 * ClientConcurrency), held until the operation's subgraph calls are answered.
 */
export class SubscribingGateway implements GatewayInterface {
  private schema: GraphQLSchema | undefined;

  constructor(
    private readonly inner: ApolloGateway,
    private readonly admit: Admission = () => () => undefined,
  ) {}

  /** The API schema with Subscription, once the supergraph is loaded. */
  get apiSchema(): GraphQLSchema {
    if (!this.schema) throw new Error('the supergraph is not loaded yet');
    return this.schema;
  }

  onSchemaLoadOrUpdate(callback: GatewaySchemaLoadOrUpdateCallback) {
    return this.inner.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => {
      this.schema = apiSchema;
      callback({ apiSchema: this.schema, coreSupergraphSdl });
    });
  }

  async load(options: Parameters<GatewayInterface['load']>[0]) {
    const { executor } = await this.inner.load(options);
    if (!executor) throw new Error('the gateway loaded without an executor');
    const run: GatewayExecutor = async (requestContext) => {
      const { operation, document, request } = requestContext;
      if (operation.operation === 'subscription') {
        return {
          errors: [
            new GraphQLError(
              'Subscribe over graphql-ws (protocol graphql-transport-ws) at this same URL, or over HTTP with accept: multipart/mixed;subscriptionSpec="1.0" or text/event-stream.',
              {
                extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
              },
            ),
          ],
        };
      }
      const context = requestContext.context as GatewayContext;
      const release = this.admit(context);
      if (release instanceof GraphQLError) return { errors: [release] };
      try {
        if (isIntrospectionOnly(operation, document)) {
          return await execute({ schema: this.apiSchema, document, operationName: request.operationName, variableValues: request.variables });
        }
        const result = await executor(requestContext);
        // Its abandoned subgraph calls failed; a mutation ran to its end and keeps its answer.
        if (context.signal?.aborted && operation.operation === 'query') return { errors: [CLIENT_GONE] };
        return result;
      } finally {
        release();
      }
    };
    return { executor: run };
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }
}
