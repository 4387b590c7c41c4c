import { buildSchema, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { GraphQLRequestContextDidResolveOperation } from '@apollo/server';
import { describe, expect, it } from 'vitest';
import type { GatewayContext } from '../src/context';
import { composeSupergraph } from '../src/compose';
import { withFieldCosts } from '../src/field-costs';
import { assertCost, limitError } from '../src/limits';
import { OperationChecks } from '../src/operation-checks';

const SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@listSize"])
  type Title @key(fields: "id") { id: ID! similar(first: Int = 10): [Title!]! @listSize(slicingArguments: ["first"], requireOneSlicingArgument: false) }
  type Query { titles(first: Int = 10): [Title!]! @listSize(slicingArguments: ["first"], requireOneSlicingArgument: false) }
  type Subscription { titleAdded: Title! }
`;

/** The API schema of the small graph, with the list sizes its supergraph declares. */
function titlesSchema(): GraphQLSchema {
  const { supergraphSdl, apiSchemaSdl } = composeSupergraph([{ name: 'titles', url: 'http://titles.invalid/graphql', sdl: SDL }]);
  return withFieldCosts(buildSchema(apiSchemaSdl), supergraphSdl);
}
const LIMITS = { maxDepth: 5, maxAliases: 5, maxDirectives: 5, maxTokens: 1_000, maxCost: 500 };

/** The gateway's checks, counting the estimates they walk a document for. */
function counted() {
  const walked: string[] = [];
  const checks = new OperationChecks(LIMITS, (schema, document, variables, operationName) => {
    walked.push(JSON.stringify(variables ?? {}));
    return assertCost(schema, document, variables, operationName, Number.POSITIVE_INFINITY);
  });
  return { checks, walked };
}

/** Apollo Server's call of the plugin once it resolved an HTTP request's operation. */
async function overHttp(checks: OperationChecks, schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> = {}) {
  const contextValue = {} as GatewayContext;
  const listener = await checks.plugin().requestDidStart!({} as never);
  await listener!.didResolveOperation!({
    schema,
    document,
    request: { variables },
    operationName: null,
    contextValue,
  } as unknown as GraphQLRequestContextDidResolveOperation<GatewayContext>);
  return checks.costOf(contextValue);
}

describe('one validation and cost path for HTTP and subscriptions', () => {
  const schema = titlesSchema();

  it('keeps a subscription’s document per schema and text: sent again, it is neither parsed, validated nor costed again', () => {
    const { checks, walked } = counted();
    const text = 'subscription { titleAdded { similar(first: 3) { id } } }';
    const document = checks.parse(schema, text);
    expect(checks.parse(schema, text)).toBe(document);
    expect(checks.parse(titlesSchema(), text)).not.toBe(document);
    expect(checks.validate(schema, document)).toEqual([]);
    expect(checks.validate(schema, document)).toEqual([]);
    expect(checks.cost(schema, document, {}, undefined)).toBe(4);
    expect(checks.cost(schema, document, {}, undefined)).toBe(4);
    expect(walked).toHaveLength(1);
  });

  it('shares one estimate per document and variables between the HTTP plugin and the subscription path, and keeps it for the request', async () => {
    const { checks, walked } = counted();
    const document = checks.parse(schema, 'query ($n: Int) { titles(first: $n) { id } }');
    expect(await overHttp(checks, schema, document, { n: 5 })).toBe(5);
    expect(checks.cost(schema, document, { n: 5 }, undefined)).toBe(5);
    expect(await overHttp(checks, schema, document, { n: 6 })).toBe(6);
    expect(walked).toEqual(['{"n":5}', '{"n":6}']);
  });

  it('refuses an operation over the limits alike on both paths, also when its estimate is known', async () => {
    const { checks, walked } = counted();
    const costly = checks.parse(schema, 'subscription { titleAdded { similar(first: 30) { similar(first: 30) { id } } } }');
    const refusal = limitError('cost', 500, 931);
    expect(() => checks.cost(schema, costly, {}, undefined)).toThrow(refusal.message);
    await expect(overHttp(checks, schema, costly)).rejects.toMatchObject({ message: refusal.message, extensions: refusal.extensions });
    expect(walked).toHaveLength(1);

    const deep = checks.parse(schema, 'subscription { titleAdded { similar { similar { similar { similar { similar { id } } } } } } }');
    expect(checks.validate(schema, deep).map((e) => e.extensions)).toMatchObject([{ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'depth', max: 5 }]);
    expect(checks.validate(schema, deep)).toHaveLength(1);
  });

  it('refuses a document past the token limit while parsing it', () => {
    const { checks } = counted();
    expect(() => checks.parse(schema, `subscription { titleAdded { ${'id '.repeat(1_000)} } }`)).toThrow(/more that 1000 tokens/);
  });
});
