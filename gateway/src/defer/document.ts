import {
  getNamedType,
  getVariableValues,
  isAbstractType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type ArgumentNode,
  type DirectiveNode,
  type DocumentNode,
  type FragmentSpreadNode,
  type GraphQLSchema,
  type InlineFragmentNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** One `@defer` of the client's document that is in force for this request. */
export interface DeferUsage {
  /** Our own label, unique in the document: what the planner's DeferredNode carries. */
  id: string;
  /** The client's own label, if it gave one: echoed in the incremental payloads. */
  label?: string;
}

/**
 * The client's document with every `@defer` in force labelled by us (`if` settled with the
 * request's variables, so the planner never sees a condition), and the others dropped.
 */
export interface DeferredDocument {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  defers: Map<string, DeferUsage>;
  /** The request's variables, coerced (defaults applied): to settle @skip/@include while shaping. */
  variables: Record<string, unknown>;
}

const ID_PREFIX = 'ott_defer_';

export const isDefer = (directive: DirectiveNode) => directive.name.value === 'defer';

/** Our label of a fragment's `@defer`, if the fragment is deferred in a DeferredDocument. */
export function deferId(node: InlineFragmentNode | FragmentSpreadNode): string | undefined {
  const defer = node.directives?.find(isDefer);
  const label = defer?.arguments?.find((a) => a.name.value === 'label')?.value;
  return label?.kind === Kind.STRING && label.value.startsWith(ID_PREFIX) ? label.value : undefined;
}

const deferring = new WeakMap<DocumentNode, boolean>();

/** Whether the document applies `@defer` anywhere: one scan per parsed document (Apollo Server reuses them per text). */
export function usesDefer(document: DocumentNode): boolean {
  let found = deferring.get(document);
  if (found === undefined) {
    found = false;
    visit(document, {
      Directive(node) {
        if (isDefer(node)) found = true;
      },
    });
    deferring.set(document, found);
  }
  return found;
}

/**
 * Labels every `@defer` in force; undefined when none is (all `if: false`), or when the
 * variables do not fit the operation (execution refuses those itself).
 */
export function labelDefers(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  raw: Record<string, unknown> | undefined,
): DeferredDocument | undefined {
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], raw ?? {});
  if (coerced.errors) return undefined;
  const variables = coerced.coerced;
  const defers = new Map<string, DeferUsage>();
  // Numbered by place in the document, in force or not: the same id is the same fragment whatever the variables.
  let place = 0;
  const settle = (node: InlineFragmentNode | FragmentSpreadNode) => {
    const directive = node.directives?.find(isDefer);
    if (!directive) return undefined;
    const id = `${ID_PREFIX}${place++}`;
    const argument = (name: string) => directive.arguments?.find((a) => a.name.value === name)?.value;
    const condition = argument('if');
    const inForce =
      condition === undefined ||
      (condition.kind === Kind.BOOLEAN && condition.value) ||
      (condition.kind === Kind.VARIABLE && variables[condition.name.value] !== false);
    const others = node.directives!.filter((d) => d !== directive);
    if (!inForce) return { ...node, directives: others };
    const given = argument('label');
    defers.set(id, { id, label: given?.kind === Kind.STRING ? given.value : undefined });
    const label: ArgumentNode = { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'label' }, value: { kind: Kind.STRING, value: id } };
    return { ...node, directives: [...others, { ...directive, arguments: [label] }] };
  };
  const labelled = visit(document, { InlineFragment: settle, FragmentSpread: settle });
  if (defers.size === 0) return undefined;
  const name = operation.name?.value;
  const labelledOperation = labelled.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (name === undefined || d.name?.value === name),
  )!;
  return { document: labelled, operation: labelledOperation, defers, variables };
}

const TYPENAME = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } } as const;

/**
 * The document as it is executed for one part: the deferred fragments in `released` are kept
 * as plain fragments, every other deferred fragment is left out. `__typename` is added where
 * the type is abstract (so shaping can tell the runtime type of every object) and where a
 * selection would be left empty; the client never sees what it did not ask for (shape.ts
 * copies only the client's own selections).
 */
export function viewOf(schema: GraphQLSchema, document: DocumentNode, released: ReadonlySet<string>): DocumentNode {
  const typeInfo = new TypeInfo(schema);
  const keepOrDrop = (node: InlineFragmentNode | FragmentSpreadNode) => {
    const id = deferId(node);
    if (id === undefined) return undefined;
    if (!released.has(id)) return null;
    return { ...node, directives: node.directives!.filter((d) => !isDefer(d)) };
  };
  return visit(
    document,
    visitWithTypeInfo(typeInfo, {
      InlineFragment: keepOrDrop,
      FragmentSpread: keepOrDrop,
      SelectionSet: {
        leave(node: SelectionSetNode): SelectionSetNode | undefined {
          const type = typeInfo.getParentType();
          const named = type ? getNamedType(type) : undefined;
          const hasTypename = node.selections.some((s) => s.kind === Kind.FIELD && s.name.value === '__typename' && !s.alias);
          if (hasTypename || (node.selections.length > 0 && !(named && isAbstractType(named)))) return undefined;
          return { ...node, selections: [...node.selections, TYPENAME] };
        },
      },
    }),
  );
}
