import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  buildSchema,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  parse,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { composeSupergraph } from '../src/compose';
import { fieldCostsOf, withFieldCosts } from '../src/field-costs';
import { assertCost } from '../src/limits';

// Field costs are the subgraphs' @cost and @listSize, composed into the supergraph: the gateway
// reads them from there, so a field keeps its cost when renamed, and a list cannot go unsized.

const ROOT = resolve(__dirname, '../..');

/** A small graph: a weighed search, a connection, an assumed-size list, an interface field weighed per implementation. */
function shopSdl(searchWeight: number): string {
  return `
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize"])
    type Query {
      search(text: String!, first: Int = 20): [Item!]! @cost(weight: ${searchWeight}) @listSize(slicingArguments: ["first"], requireOneSlicingArgument: false)
      shelves(first: Int = 5): ShelfConnection! @listSize(slicingArguments: ["first"], sizedFields: ["edges"], requireOneSlicingArgument: false)
      tags: [Tag!]! @listSize(assumedSize: 4)
      unsized: [Tag!]!
      item: Item
    }
    interface Item { id: ID! related(first: Int = 3): [Item!]! }
    type Book implements Item @key(fields: "id") {
      id: ID!
      related(first: Int = 3): [Item!]! @cost(weight: 2) @listSize(slicingArguments: ["first"], requireOneSlicingArgument: false)
    }
    type Film implements Item @key(fields: "id") {
      id: ID!
      related(first: Int = 3): [Item!]! @cost(weight: 9) @listSize(slicingArguments: ["first"], requireOneSlicingArgument: false)
    }
    type ShelfConnection { edges: [ShelfEdge!]! }
    type ShelfEdge { node: Item! }
    type Tag { name: String! }
  `;
}

/** The API schema of the small graph, with the costs its supergraph declares. */
function shop(searchWeight = 7): GraphQLSchema {
  const { supergraphSdl, apiSchemaSdl } = composeSupergraph([{ name: 'shop', url: 'http://shop.invalid/graphql', sdl: shopSdl(searchWeight) }]);
  return withFieldCosts(buildSchema(apiSchemaSdl), supergraphSdl);
}

const costOf = (schema: GraphQLSchema, query: string) => assertCost(schema, parse(query), {}, undefined, Number.MAX_SAFE_INTEGER);

/** Fields returning a list of objects, or paged by `first`, that no `@listSize` sizes. */
function unsizedFields(schema: GraphQLSchema): string[] {
  const costs = fieldCostsOf(schema);
  return Object.values(schema.getTypeMap())
    .filter((type): type is GraphQLObjectType | GraphQLInterfaceType => (isObjectType(type) || isInterfaceType(type)) && !type.name.startsWith('__'))
    .flatMap((type) => Object.values(type.getFields()).map((field) => ({ type, field })))
    .filter(({ type, field }) => {
      const cost = costs.of(type.name, field.name);
      if (field.args.some((arg) => arg.name === 'first')) return !cost.slicingArguments.includes('first');
      const listOfObjects = isListType(getNullableType(field.type)) && isCompositeType(getNamedType(field.type));
      return listOfObjects && cost.slicingArguments.length === 0 && cost.assumedSize === undefined && !cost.sizedByParent;
    })
    .map(({ type, field }) => `${type.name}.${field.name}`);
}

describe('field costs from the supergraph', () => {
  it("adds a field's weight as its @cost declares it, once per call", () => {
    expect(costOf(shop(7), '{ search(text: "a", first: 3) { id } }')).toBe(7 + 3);
    expect(costOf(shop(300), '{ search(text: "a", first: 3) { id } }')).toBe(300 + 3);
  });

  it('counts a list by its slicing argument, its default when not given, or its assumed size', () => {
    const schema = shop();
    expect(costOf(schema, '{ search(text: "a") { id } }')).toBe(7 + 20);
    expect(costOf(schema, '{ tags { name } }')).toBe(4);
    expect(costOf(schema, '{ unsized { name } }')).toBe(10);
  });

  it("counts a connection's edges once: the connection's `first` sized them", () => {
    // 4 × (the connection, its edge, its node).
    expect(costOf(shop(), '{ shelves(first: 4) { edges { node { id } } } }')).toBe(4 * 3);
  });

  it("costs an interface's field as its costliest implementation, and each implementation as its own", () => {
    expect(costOf(shop(), '{ item { related { id } } }')).toBe(1 + 9 + 3);
    expect(costOf(shop(), '{ item { ... on Book { related(first: 2) { id } } } }')).toBe(1 + 2 + 2);
  });

  it('reads the directives under the names a subgraph imports them as', () => {
    const sdl = `
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: [{ name: "@cost", as: "@weight" }, { name: "@listSize", as: "@size" }])
      type Query { tags: [Tag!]! @weight(weight: 3) @size(assumedSize: 4) }
      type Tag { name: String! }
    `;
    const { supergraphSdl, apiSchemaSdl } = composeSupergraph([{ name: 'tags', url: 'http://tags.invalid/graphql', sdl }]);
    expect(costOf(withFieldCosts(buildSchema(apiSchemaSdl), supergraphSdl), '{ tags { name } }')).toBe(3 + 4);
  });

  it('refuses to cost against a schema that carries no field costs', () => {
    const { apiSchemaSdl } = composeSupergraph([{ name: 'shop', url: 'http://shop.invalid/graphql', sdl: shopSdl(7) }]);
    expect(() => costOf(buildSchema(apiSchemaSdl), '{ tags { name } }')).toThrow(/carries no field costs/);
  });

  it('finds a list field without a @listSize', () => {
    expect(unsizedFields(shop())).toEqual(['Query.unsized']);
  });

  it('sizes every list of objects and every paged field of schema/supergraph.graphql', () => {
    const api = buildSchema(readFileSync(resolve(ROOT, 'schema/api.graphql'), 'utf8'));
    const schema = withFieldCosts(api, readFileSync(resolve(ROOT, 'schema/supergraph.graphql'), 'utf8'));
    expect(unsizedFields(schema)).toEqual([]);
    // The heaviest field keeps its weight under its name in the code, not in a table.
    expect(fieldCostsOf(schema).of('Query', 'search').weight).toBe(200);
  });
});
