import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { GraphQLError, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';
import type { GatewayContext } from './context';
import { assertCost, limitError, limitRules, type QueryLimits } from './limits';

/** An operation's estimated cost (limits.ts), or undefined when its variables do not fit their types. */
export type CostEstimate = (
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
) => number | undefined;

/** The estimate alone: the limit is applied here, to a cached estimate. */
const estimateCost: CostEstimate = (schema, document, variables, operationName) =>
  assertCost(schema, document, variables, operationName, Number.POSITIVE_INFINITY);

const COSTS_PER_DOCUMENT = 100;
const DOCUMENTS_PER_SCHEMA = 1_000;

/**
 * The one validation and cost path of every operation, over HTTP and the subscription
 * protocols alike: the same limit rules, and the same cache of cost estimates.
 *
 * - HTTP (and queries and mutations over the subscription protocols, which Apollo Server
 *   runs): Apollo Server parses and validates with `rules`, keeps each validated document
 *   per schema and operation text, and `plugin()` applies the cost limit.
 * - Subscriptions, which Apollo Server does not run: `parse` and `validate` do the same, and
 *   keep each document per schema and text the same way, so a subscription sent again is
 *   neither parsed, validated nor costed again.
 *
 * Estimates are kept per document (a document belongs to one schema) and variables: a screen
 * asked for again costs a map lookup, not a walk of its document.
 */
export class OperationChecks {
  /** Aliases, depth and directives: Apollo Server's `validationRules`, and the subscriptions'. */
  readonly rules: ValidationRule[];
  private readonly costs = new WeakMap<DocumentNode, Map<string, number | undefined>>();
  private readonly documents = new WeakMap<GraphQLSchema, Map<string, DocumentNode>>();
  private readonly valid = new WeakSet<DocumentNode>();
  /** Each HTTP request's estimate, for the client's concurrency, kept as long as its context lives. */
  private readonly estimates = new WeakMap<object, number>();

  constructor(
    private readonly limits: QueryLimits,
    private readonly estimate: CostEstimate = estimateCost,
  ) {
    this.rules = limitRules(limits);
  }

  /** The document of an operation text (throws graphql-js's syntax error); the same text again is the same document. */
  parse(schema: GraphQLSchema, query: string): DocumentNode {
    let documents = this.documents.get(schema);
    if (!documents) this.documents.set(schema, (documents = new Map()));
    let document = documents.get(query);
    if (!document) {
      document = parse(query, { maxTokens: this.limits.maxTokens });
      if (documents.size >= DOCUMENTS_PER_SCHEMA) documents.clear();
      documents.set(query, document);
    }
    return document;
  }

  /** graphql-js's rules and the limits, as Apollo Server validates; a document found valid is not validated again. */
  validate(schema: GraphQLSchema, document: DocumentNode): readonly GraphQLError[] {
    if (this.valid.has(document)) return [];
    const errors = validate(schema, document, [...specifiedRules, ...this.rules]);
    if (errors.length === 0) this.valid.add(document);
    return errors;
  }

  /** The operation's estimated cost; throws the cost limit's refusal (GRAPHQL_VALIDATION_FAILED) above it. */
  cost(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined): number | undefined {
    let costs = this.costs.get(document);
    if (!costs) this.costs.set(document, (costs = new Map()));
    const key = `${operationName ?? ''}\n${JSON.stringify(variables ?? {})}`;
    let cost: number | undefined;
    if (costs.has(key)) cost = costs.get(key);
    else {
      cost = this.estimate(schema, document, variables, operationName);
      if (costs.size >= COSTS_PER_DOCUMENT) costs.clear();
      costs.set(key, cost);
    }
    if (cost !== undefined && cost > this.limits.maxCost) throw limitError('cost', this.limits.maxCost, cost);
    return cost;
  }

  /** The estimate `plugin()` made for a request (undefined before, or when it could not be made). */
  readonly costOf = (context: object): number | undefined => this.estimates.get(context);

  /**
   * The cost limit for every operation Apollo Server runs, before the gateway plans or calls
   * any subgraph; the estimate is kept (`costOf`) for the client's concurrency
   * (ClientConcurrency). Variables that do not fit their types cannot be costed: execution
   * refuses those itself, before any work, with the usual BAD_USER_INPUT.
   */
  plugin(): ApolloServerPlugin<GatewayContext> {
    // One listener for every request: it keeps nothing of its own.
    const listener: GraphQLRequestListener<GatewayContext> = {
      didResolveOperation: async ({ schema, document, request, operationName, contextValue }) => {
        const cost = this.cost(schema, document, request.variables, operationName ?? undefined);
        if (cost !== undefined) this.estimates.set(contextValue, cost);
      },
    };
    return { requestDidStart: async () => listener };
  }
}
