import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildSchema, isEnumType, isInputObjectType, isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';

const contract = buildSchema(readFileSync(resolve(__dirname, 'api-contract.graphql'), 'utf8'));
const api = buildSchema(readFileSync(resolve(__dirname, '../../schema/api.graphql'), 'utf8'));

/** Every way `actual` falls short of `expected`: missing types, fields, arguments, enum values, or different types. */
function shortfalls(expected: GraphQLSchema, actual: GraphQLSchema): string[] {
  const found: string[] = [];
  for (const type of Object.values(expected.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    const counterpart = actual.getType(type.name);
    if (!counterpart) {
      found.push(`type ${type.name}`);
      continue;
    }
    if (isEnumType(type) && isEnumType(counterpart)) {
      for (const value of type.getValues()) if (!counterpart.getValue(value.name)) found.push(`${type.name}.${value.name}`);
    }
    if ((isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) && 'getFields' in counterpart) {
      const fields = counterpart.getFields() as Record<string, { type: unknown; args?: readonly { name: string; type: unknown; defaultValue: unknown }[] }>;
      for (const field of Object.values(type.getFields())) {
        const other = fields[field.name];
        if (!other) {
          found.push(`${type.name}.${field.name}`);
          continue;
        }
        if (String(other.type) !== String(field.type)) found.push(`${type.name}.${field.name}: ${String(other.type)} instead of ${String(field.type)}`);
        for (const arg of 'args' in field ? field.args : []) {
          const otherArg = other.args?.find((a) => a.name === arg.name);
          if (!otherArg) found.push(`${type.name}.${field.name}(${arg.name})`);
          else if (String(otherArg.type) !== String(arg.type) || otherArg.defaultValue !== arg.defaultValue) {
            found.push(
              `${type.name}.${field.name}(${arg.name}): ${String(otherArg.type)} = ${String(otherArg.defaultValue)} instead of ${String(arg.type)} = ${String(arg.defaultValue)}`,
            );
          }
        }
      }
    }
  }
  return found;
}

describe('the public API against the contract', () => {
  it('offers every type, field, argument, default and enum value of the contract', () => {
    expect(shortfalls(contract, api)).toEqual([]);
  });
});
