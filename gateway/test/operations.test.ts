import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildSchema, Kind, parse, print, specifiedRules, validate, visit, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { gatewayConfig } from '../src/config';
import { withFieldCosts } from '../src/field-costs';
import { assertCost, limitRules } from '../src/limits';

// The README's operations and the documents frontends get typed (docs/operations/, generated into
// schema/client/ by codegen.yml) are one set: neither may drift from the other or from the API.

const ROOT = resolve(__dirname, '../..');
const OPERATIONS_DIR = resolve(ROOT, 'docs/operations');
// The API schema, with the costs the supergraph's @cost and @listSize give its fields (as the gateway serves it).
const api = withFieldCosts(
  buildSchema(readFileSync(resolve(ROOT, 'schema/api.graphql'), 'utf8')),
  readFileSync(resolve(ROOT, 'schema/supergraph.graphql'), 'utf8'),
);
const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
const { limits } = gatewayConfig({ NODE_ENV: 'test' });

/** Every ```graphql block of the README, parsed (its placeholders, like "<id>", are string literals). */
const readmeOperations = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].flatMap(([, block]) =>
  parse(block!).definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION),
);

const documents = readdirSync(OPERATIONS_DIR)
  .filter((file) => file.endsWith('.graphql'))
  .map((file) => ({ file, document: parse(readFileSync(resolve(OPERATIONS_DIR, file), 'utf8')) }));
const documentOperations = documents.flatMap(({ document }) =>
  document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION),
);

/**
 * What an operation selects, without its name, variables and arguments: the README writes
 * values inline, the documents pass variables (and may take more optional ones, like `after`).
 */
function selection(operation: OperationDefinitionNode): string {
  return print(
    visit(operation, {
      OperationDefinition: (node) => ({ ...node, name: undefined, variableDefinitions: [] }),
      Field: (node) => ({ ...node, arguments: [] }),
    }),
  );
}

/** Each argument an operation passes, by the response path of its field: "browse.filter". */
function argumentsOf(operation: OperationDefinitionNode): string[] {
  const found: string[] = [];
  const path: string[] = [];
  visit(operation, {
    Field: {
      enter: (node) => {
        path.push(node.alias?.value ?? node.name.value);
        for (const argument of node.arguments ?? []) found.push(`${path.join('.')}(${argument.name.value})`);
      },
      leave: () => {
        path.pop();
      },
    },
  });
  return found;
}

describe("the README's operations and docs/operations/", () => {
  it('finds the operations of the README', () => {
    expect(readmeOperations.length).toBeGreaterThanOrEqual(20);
  });

  it('has a document for every operation of the README, selecting the same fields and passing its arguments', () => {
    const missing = readmeOperations.filter((operation) => {
      const document = documentOperations.find((d) => d.operation === operation.operation && selection(d) === selection(operation));
      return !document || !argumentsOf(operation).every((argument) => argumentsOf(document).includes(argument));
    });
    expect(missing.map((operation) => print(operation))).toEqual([]);
  });

  it('has only documents whose root fields the README names', () => {
    for (const operation of documentOperations) {
      for (const selection of operation.selectionSet.selections) {
        if (selection.kind !== Kind.FIELD) continue;
        expect(readme, `${operation.name?.value}: ${selection.name.value}`).toMatch(new RegExp(`\\b${selection.name.value}\\b`));
      }
    }
  });

  it('names every document operation, each name once (the client preset exports one typed document per name)', () => {
    const names = documentOperations.map((o) => o.name?.value);
    expect(names).not.toContain(undefined);
    expect(new Set(names).size).toBe(names.length);
  });

  it('has documents that are valid against schema/api.graphql', () => {
    for (const { file, document } of documents) {
      expect(
        validate(api, document, specifiedRules).map((e) => e.message),
        file,
      ).toEqual([]);
    }
  });

  it("keeps every README operation within the gateway's default limits", () => {
    for (const operation of readmeOperations) {
      const document = { kind: Kind.DOCUMENT, definitions: [operation] } as const;
      expect(
        validate(api, document, [...specifiedRules, ...limitRules(limits)]).map((e) => e.message),
        print(operation),
      ).toEqual([]);
      // The README's variables are ids: any string costs the same.
      const variables = Object.fromEntries((operation.variableDefinitions ?? []).map((v) => [v.variable.name.value, 'an-id']));
      expect(assertCost(api, document, variables, undefined, limits.maxCost)).toBeLessThanOrEqual(limits.maxCost);
    }
  });
});
