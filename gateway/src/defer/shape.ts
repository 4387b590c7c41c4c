import {
  getDirectiveValues,
  getNamedType,
  getNullableType,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isCompositeType,
  isListType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import { deferId } from './document';

type Data = Record<string, unknown>;
type Path = (string | number)[];

/** Where a deferred fragment applies in an answer: the object's path and the fragment's selection there. */
export interface Position {
  path: Path;
  selectionSet: SelectionSetNode;
  type: GraphQLObjectType;
}

/**
 * Cuts the client's parts out of what the gateway executed for one part (the view of
 * document.ts): the selections the client asked for, field by field, never the `__typename`
 * the view added for itself, and never the fields of a deferred fragment, which come in that
 * fragment's own part.
 */
export class Shaper {
  private readonly fragments: Map<string, FragmentDefinitionNode>;

  constructor(
    private readonly schema: GraphQLSchema,
    document: DocumentNode,
    private readonly variables: Record<string, unknown>,
  ) {
    this.fragments = new Map(document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  }

  /** The client's non-deferred selections of `value`, an object of static type `type`. */
  pick(value: Data, selectionSets: readonly SelectionSetNode[], type: GraphQLObjectType): Data {
    const out: Data = {};
    for (const [key, fields] of this.collect(selectionSets, type, () => undefined)) {
      const name = fields[0]!.name.value;
      if (name === '__typename') {
        out[key] = type.name;
        continue;
      }
      const definition = type.getFields()[name];
      if (!definition) continue;
      out[key] = this.complete(
        value[key],
        definition.type,
        fields.flatMap((f) => (f.selectionSet ? [f.selectionSet] : [])),
      );
    }
    return out;
  }

  /**
   * Every object where the deferred fragment `target` applies, found in an answer executed
   * with its ancestors released (`enter`: the deferred fragments around it, walked into).
   */
  positions(root: Data, rootType: GraphQLObjectType, selectionSet: SelectionSetNode, target: string, enter: ReadonlySet<string>): Position[] {
    const found: Position[] = [];
    const seen = new Set<string>();
    const walk = (value: unknown, selectionSets: SelectionSetNode[], staticType: GraphQLOutputType, path: Path) => {
      if (value === null || value === undefined) return;
      const nullable = getNullableType(staticType);
      if (isListType(nullable)) {
        if (Array.isArray(value)) value.forEach((item, i) => walk(item, selectionSets, nullable.ofType, [...path, i]));
        return;
      }
      if (!isCompositeType(nullable) || typeof value !== 'object') return;
      const type = this.runtimeType(value as Data, nullable);
      if (!type) return;
      const fields = this.collect(selectionSets, type, (id, fragmentSelection) => {
        if (id === target) {
          const at = JSON.stringify(path);
          if (!seen.has(at)) found.push({ path, selectionSet: fragmentSelection, type });
          seen.add(at);
          return undefined;
        }
        return enter.has(id) ? fragmentSelection : undefined;
      });
      for (const [key, nodes] of fields) {
        const definition = type.getFields()[nodes[0]!.name.value];
        const subSelections = nodes.flatMap((f) => (f.selectionSet ? [f.selectionSet] : []));
        if (definition && subSelections.length > 0) walk((value as Data)[key], subSelections, definition.type, [...path, key]);
      }
    };
    walk(root, [selectionSet], rootType, []);
    return found;
  }

  private complete(value: unknown, type: GraphQLOutputType, selectionSets: SelectionSetNode[]): unknown {
    if (value === null || value === undefined) return null;
    const nullable = getNullableType(type);
    if (isListType(nullable)) return Array.isArray(value) ? value.map((item) => this.complete(item, nullable.ofType, selectionSets)) : null;
    if (!isCompositeType(nullable)) return value;
    const runtime = this.runtimeType(value as Data, nullable);
    return runtime ? this.pick(value as Data, selectionSets, runtime) : null;
  }

  /** The object type of an answer's object: its own for object types, its `__typename` (added by the view) for abstract ones. */
  runtimeType(value: Data, type: GraphQLOutputType): GraphQLObjectType | undefined {
    const named = getNamedType(type);
    if (isObjectType(named)) return named;
    if (!isAbstractType(named)) return undefined;
    const typename = value.__typename;
    const runtime = typeof typename === 'string' ? this.schema.getType(typename) : undefined;
    return isObjectType(runtime) && this.schema.isSubType(named, runtime) ? runtime : undefined;
  }

  /**
   * graphql-js's CollectFields for one object, with @skip/@include settled and each deferred
   * fragment handed to `onDefer`, which returns the selection to walk into (or undefined to
   * leave it out).
   */
  private collect(
    selectionSets: readonly SelectionSetNode[],
    type: GraphQLObjectType,
    onDefer: (id: string, selectionSet: SelectionSetNode) => SelectionSetNode | undefined,
  ): Map<string, FieldNode[]> {
    const fields = new Map<string, FieldNode[]>();
    const visited = new Set<string>();
    const visit = (selections: readonly SelectionNode[]) => {
      for (const selection of selections) {
        if (!this.included(selection)) continue;
        if (selection.kind === Kind.FIELD) {
          const key = selection.alias?.value ?? selection.name.value;
          fields.set(key, [...(fields.get(key) ?? []), selection]);
          continue;
        }
        const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : this.fragments.get(selection.name.value);
        if (!fragment || !this.applies(fragment.typeCondition?.name.value, type)) continue;
        const id = deferId(selection);
        if (id !== undefined) {
          const walkInto = onDefer(id, fragment.selectionSet);
          if (walkInto) visit(walkInto.selections);
          continue;
        }
        if (selection.kind === Kind.FRAGMENT_SPREAD) {
          if (visited.has(selection.name.value)) continue;
          visited.add(selection.name.value);
        }
        visit(fragment.selectionSet.selections);
      }
    };
    for (const selectionSet of selectionSets) visit(selectionSet.selections);
    return fields;
  }

  private applies(condition: string | undefined, type: GraphQLObjectType): boolean {
    if (!condition) return true;
    const conditionType = this.schema.getType(condition);
    if (!conditionType) return false;
    if (conditionType === type) return true;
    return isAbstractType(conditionType) && this.schema.isSubType(conditionType, type);
  }

  private included(selection: SelectionNode): boolean {
    if (getDirectiveValues(GraphQLSkipDirective, selection, this.variables)?.if === true) return false;
    return getDirectiveValues(GraphQLIncludeDirective, selection, this.variables)?.if !== false;
  }
}

/** The value at `path` in an answer, or null where the answer has none. */
export function valueAt(root: unknown, path: Path): unknown {
  let value = root;
  for (const step of path) {
    if (value === null || value === undefined || typeof value !== 'object') return null;
    value = (value as Record<string | number, unknown>)[step];
  }
  return value ?? null;
}
