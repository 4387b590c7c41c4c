import { createHash } from 'node:crypto';
import {
  getOperationAST,
  GraphQLError,
  Kind,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type ValueNode,
} from 'graphql';
import { isServedSubscription, type SubscriptionField } from './schema';

/** A subscription as the query that answers each of its events. */
export interface LiveQuery {
  field: SubscriptionField;
  /** `playbackSession(id: $<sessionVariable>)` under the subscription's own response key, with its selection. */
  document: DocumentNode;
  /** The document printed once: Apollo Server would print a document on every run (and caches its parse by text). */
  query: string;
  operationName: string | undefined;
  /** The variable each event's session id is passed in. */
  sessionVariable: string;
  /** The subscriber's variables the selection still uses. */
  variables: Record<string, unknown>;
  /** playbackSessionUpdated: the session asked for; myPlaybackSessions: null (every session of the member). */
  sessionId: string | null;
  /** Equal for equal selections and variables (the member is added by the caller). */
  fingerprint: string;
}

const badSubscription = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });

function literal(value: ValueNode, variables: Record<string, unknown>): unknown {
  if (value.kind === Kind.VARIABLE) return variables[value.name.value];
  if (value.kind === Kind.STRING || value.kind === Kind.INT) return value.value;
  return undefined;
}

function usedVariables(nodes: readonly (OperationDefinitionNode | FragmentDefinitionNode)[]): Set<string> {
  const used = new Set<string>();
  for (const node of nodes) {
    visit(node, {
      VariableDefinition: () => false,
      Variable: (variable) => {
        used.add(variable.name.value);
      },
    });
  }
  return used;
}

const stable = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );

/**
 * Turns a validated subscription operation into the query run for each event: the root field
 * becomes `playbackSession(id:)`, aliased to the subscription's response key so the result
 * reads as the subscription's, with the subscriber's own selection, fragments and variables.
 */
export function liveQueryOf(document: DocumentNode, operationName: string | undefined | null, variables: Record<string, unknown> = {}): LiveQuery {
  const operation = getOperationAST(document, operationName);
  if (!operation || operation.operation !== 'subscription') throw badSubscription('Send a subscription operation.');
  const [root] = operation.selectionSet.selections;
  if (operation.selectionSet.selections.length !== 1 || root?.kind !== Kind.FIELD) {
    throw badSubscription('Select exactly one subscription field, directly (not through a fragment).');
  }
  if (!isServedSubscription(root.name.value)) throw badSubscription(`${root.name.value}: this gateway does not serve that subscription.`);
  const field: SubscriptionField = root.name.value;
  let sessionId: string | null = null;
  if (field === 'playbackSessionUpdated') {
    const argument = root.arguments?.find((arg) => arg.name.value === 'sessionId');
    const value = argument ? literal(argument.value, variables) : undefined;
    if (typeof value !== 'string' || value.length === 0) throw badSubscription('sessionId: give the id of a playback session.');
    sessionId = value;
  }

  const taken = new Set(operation.variableDefinitions?.map((definition) => definition.variable.name.value));
  let sessionVariable = 'liveSessionId';
  while (taken.has(sessionVariable)) sessionVariable = `_${sessionVariable}`;
  const liveField: FieldNode = {
    ...root,
    alias: { kind: Kind.NAME, value: root.alias?.value ?? root.name.value },
    name: { kind: Kind.NAME, value: 'playbackSession' },
    arguments: [
      { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'id' }, value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: sessionVariable } } },
    ],
  };
  const fragments = document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION);
  const draft: OperationDefinitionNode = {
    ...operation,
    operation: 'query' as OperationDefinitionNode['operation'],
    selectionSet: { ...operation.selectionSet, selections: [liveField] },
  };
  const used = usedVariables([draft, ...fragments]);
  const kept = (operation.variableDefinitions ?? []).filter((definition) => used.has(definition.variable.name.value));
  const liveOperation: OperationDefinitionNode = {
    ...draft,
    variableDefinitions: [
      ...kept,
      {
        kind: Kind.VARIABLE_DEFINITION,
        variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: sessionVariable } },
        type: { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'ID' } } },
      },
    ],
  };
  const liveDocument: DocumentNode = { kind: Kind.DOCUMENT, definitions: [liveOperation, ...fragments] };
  const keptVariables = Object.fromEntries(
    kept
      .map((d) => d.variable.name.value)
      .filter((name) => name in variables)
      .map((name) => [name, variables[name]]),
  );
  const query = print(liveDocument);
  const fingerprint = createHash('sha256')
    .update(query)
    .update('\n')
    .update(stable(keptVariables))
    .update('\n')
    .update(sessionId ?? '')
    .digest('base64url');
  return { field, document: liveDocument, query, operationName: operation.name?.value, sessionVariable, variables: keptVariables, sessionId, fingerprint };
}
