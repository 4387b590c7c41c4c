import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isCompositeType,
  isListType,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { fieldCostsOf, type FieldCosts } from './field-costs';

/** What one operation may ask for (env settings, README "Configuration"). */
export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  /** Lexical tokens of the document: graphql-js refuses more while parsing, before anything else is done. */
  maxTokens: number;
  /** The cost estimate below. */
  maxCost: number;
}

/** Items of a list without a `@listSize`: gateway/test/field-costs.test.ts holds every list of the supergraph to one. */
const DEFAULT_LIST_SIZE = 10;

/**
 * Every object the operation would return costs 1, plus its selection; a field returning
 * objects returns as many as its slicing argument says (`first`, its default when not given),
 * or for other lists its assumed size, or 1 for a connection's `edges`, already counted by the
 * connection's `first`; scalars cost nothing; a field's `@cost` weight is added once per call.
 * Sizes and weights are the supergraph's `@listSize` and `@cost` (field-costs.ts). Unlike
 * Apollo Router, which multiplies a field's weight by its list size, a weight here is the
 * call's own work (one scan for a whole search), and a connection counts its items once.
 * Introspection is free.
 */
function estimator(costs: FieldCosts): ComplexityEstimator {
  return ({ type, field, args, childComplexity }) => {
    if (field.name.startsWith('__') || type.name.startsWith('__')) return 0;
    if (!isCompositeType(getNamedType(field.type))) return 0;
    const cost = costs.of(type.name, field.name);
    const sliced = cost.slicingArguments.map((name) => args[name]).filter((value): value is number => typeof value === 'number');
    let items = 1;
    if (sliced.length > 0) items = Math.max(0, ...sliced);
    else if (isListType(getNullableType(field.type))) items = cost.sizedByParent ? 1 : (cost.assumedSize ?? DEFAULT_LIST_SIZE);
    return cost.weight + items * (1 + childComplexity);
  };
}

type Limit = 'aliases' | 'depth' | 'directives' | 'cost';

const MESSAGES: Record<Limit, (found: number, max: number) => string> = {
  aliases: (found, max) => `The operation uses ${found} aliases; the limit is ${max}.`,
  depth: (found, max) => `The operation is nested ${found} levels deep; the limit is ${max}.`,
  directives: (found, max) => `The operation uses ${found} directives; the limit is ${max}.`,
  cost: (found, max) => `The operation is estimated to cost ${found}; the limit is ${max}. Ask for fewer items (first) or fewer fields.`,
};

/** A refusal that says which limit and by how much: HTTP 400, code GRAPHQL_VALIDATION_FAILED. */
export function limitError(limit: Limit, max: number, found: number): GraphQLError {
  return new GraphQLError(MESSAGES[limit](found, max), {
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit, max, found, http: { status: 400 } },
  });
}

/** graphql-armor's messages ("Aliases limit of 20 exceeded, found 400.") read as ours, with the numbers in extensions. */
function armorReport(limit: Limit) {
  return (context: ValidationContext | null, error: GraphQLError) => {
    const [, max, found] = /limit of (\d+) exceeded, found (\d+)/.exec(error.message) ?? [];
    context?.reportError(limitError(limit, Number(max), Number(found)));
  };
}

/** Aliases, depth and directives, as validation rules (Apollo Server's `validationRules`, and the WebSocket path's `validate`). */
export function limitRules(limits: QueryLimits): ValidationRule[] {
  const common = { exposeLimits: true, propagateOnRejection: false } as const;
  return [
    maxAliasesRule({ ...common, n: limits.maxAliases, onReject: [armorReport('aliases')] }),
    maxDepthRule({ ...common, n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true, onReject: [armorReport('depth')] }),
    maxDirectivesRule({ ...common, n: limits.maxDirectives, onReject: [armorReport('directives')] }),
  ];
}

/**
 * Refuses an operation whose estimated cost exceeds the limit (it needs the variables, so it
 * runs after validation). The schema carries the supergraph's field costs (withFieldCosts). Variables that do not fit their types cannot be costed: execution
 * refuses those itself, before any work, with the usual BAD_USER_INPUT.
 */
export function assertCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
  maxCost: number,
): number | undefined {
  const cost = operationCost(schema, document, variables, operationName);
  if (cost !== undefined && cost > maxCost) throw limitError('cost', maxCost, cost);
  return cost;
}

/** The estimate, or undefined when the variables do not fit their types. */
function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
): number | undefined {
  try {
    return getComplexity({ estimators: [estimator(fieldCostsOf(schema))], schema, query: document, variables, operationName });
  } catch (error) {
    if (error instanceof GraphQLError) return undefined;
    throw error;
  }
}
