import {
  baseType,
  costIdentity,
  Supergraph,
  type CostDirectiveArguments,
  type FieldDefinition,
  type InterfaceType,
  type ListSizeDirectiveArguments,
  type ObjectType,
} from '@apollo/federation-internals';
import { GraphQLSchema } from 'graphql';

/** What one field adds to an operation's cost, from its `@cost` and `@listSize` in the supergraph. */
export interface FieldCost {
  /** `@cost(weight)`: the field's own work, added once per call. */
  readonly weight: number;
  /** `@listSize(slicingArguments)`: arguments whose value is the number of items (`first`). */
  readonly slicingArguments: readonly string[];
  /** `@listSize(assumedSize)`: the number of items when no slicing argument gives one. */
  readonly assumedSize?: number;
  /** Named in its parent field's `@listSize(sizedFields)` (a connection's `edges`): that field's slice counted its items. */
  readonly sizedByParent: boolean;
}

const FREE: FieldCost = { weight: 0, slicingArguments: [], sizedByParent: false };

/** Of two costs, the larger of each part: what a field of an interface costs, from its implementations. */
function costlier(a: FieldCost, b: FieldCost): FieldCost {
  const assumedSize = a.assumedSize === undefined ? b.assumedSize : Math.max(a.assumedSize, b.assumedSize ?? 0);
  return {
    weight: Math.max(a.weight, b.weight),
    slicingArguments: [...new Set([...a.slicingArguments, ...b.slicingArguments])],
    ...(assumedSize === undefined ? {} : { assumedSize }),
    sizedByParent: a.sizedByParent || b.sizedByParent,
  };
}

/**
 * Every field's cost, by its schema coordinate (`Query.search`), read from the supergraph's
 * demand-control directives (the cost spec, which subgraphs declare on their fields). A field
 * without them costs nothing of its own and has no list size.
 */
export class FieldCosts {
  private constructor(private readonly byCoordinate: ReadonlyMap<string, FieldCost>) {}

  static fromSupergraph(supergraphSdl: string): FieldCosts {
    const { schema } = Supergraph.build(supergraphSdl);
    // The spec's directives under the names this supergraph gives them (its @link may rename them).
    const feature = schema.coreFeatures?.getByIdentity(costIdentity);
    if (!feature) return new FieldCosts(new Map());
    const [costName, listSizeName] = [feature.directiveNameInSchema('cost'), feature.directiveNameInSchema('listSize')];
    const costs = new Map<string, FieldCost>();
    const sizedFields = new Map<string, readonly string[]>();

    const own = (field: FieldDefinition<ObjectType | InterfaceType>): FieldCost => {
      const weight = field.appliedDirectivesOf<CostDirectiveArguments>(costName)[0]?.arguments().weight ?? 0;
      const listSize = field.appliedDirectivesOf<ListSizeDirectiveArguments>(listSizeName)[0]?.arguments();
      if (listSize?.sizedFields?.length && field.type) sizedFields.set(baseType(field.type).name, listSize.sizedFields);
      const assumedSize = listSize?.assumedSize;
      return { weight, slicingArguments: listSize?.slicingArguments ?? [], ...(assumedSize == null ? {} : { assumedSize }), sizedByParent: false };
    };
    for (const type of [...schema.objectTypes(), ...schema.interfaceTypes()]) {
      for (const field of type.fields()) costs.set(field.coordinate, own(field));
    }
    // The cost spec puts the directives on object fields: an interface's field costs what its costliest implementation's does.
    for (const type of schema.interfaceTypes()) {
      for (const field of type.fields()) {
        const implementations = type.possibleRuntimeTypes().map((object) => costs.get(`${object.name}.${field.name}`) ?? FREE);
        costs.set(field.coordinate, implementations.reduce(costlier, costs.get(field.coordinate) ?? FREE));
      }
    }
    for (const [type, fields] of sizedFields) {
      for (const field of fields) costs.set(`${type}.${field}`, { ...(costs.get(`${type}.${field}`) ?? FREE), sizedByParent: true });
    }
    return new FieldCosts(costs);
  }

  of(type: string, field: string): FieldCost {
    return this.byCoordinate.get(`${type}.${field}`) ?? FREE;
  }
}

/**
 * The schema with the supergraph's field costs attached (its `extensions.fieldCosts`), so
 * every path that costs an operation against the API schema (HTTP, WebSocket) reads the
 * costs of the supergraph that schema came from, and a new supergraph brings its own.
 */
export function withFieldCosts(schema: GraphQLSchema, supergraphSdl: string): GraphQLSchema {
  return new GraphQLSchema({ ...schema.toConfig(), extensions: { ...schema.extensions, fieldCosts: FieldCosts.fromSupergraph(supergraphSdl) } });
}

/** The costs `withFieldCosts` attached; a schema without them is a wiring mistake, not a free operation. */
export function fieldCostsOf(schema: GraphQLSchema): FieldCosts {
  const costs = schema.extensions.fieldCosts;
  if (!(costs instanceof FieldCosts)) throw new Error('This schema carries no field costs: build it with withFieldCosts(schema, supergraphSdl).');
  return costs;
}
