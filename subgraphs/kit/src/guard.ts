import type { GraphQLSchema } from 'graphql';
import { isObjectType } from 'graphql';
import { applyMiddleware, type IMiddlewareFieldMap, type IMiddlewareTypeMap } from 'graphql-middleware';
import { allow, deny, shield, type IRules } from 'graphql-shield';
import { forbidden } from './errors';

type Rule = typeof allow;

/** A type's entry in a rule tree is either one rule for all its fields or a map of field → rule (with an optional `*`). */
const isFieldMap = (entry: unknown): entry is Record<string, Rule> =>
  typeof entry === 'object' && entry !== null && Object.getPrototypeOf(entry) === Object.prototype;

/** The rule graphql-shield applies to `type.field` under `rules`, with `fallback` for anything unlisted. */
export function ruleFor(rules: IRules, typeName: string, fieldName: string, fallback: Rule = deny): Rule {
  const entry = (rules as Record<string, unknown>)[typeName];
  if (entry === undefined) return fallback;
  if (!isFieldMap(entry)) return entry as Rule;
  return entry[fieldName] ?? entry['*'] ?? fallback;
}

/**
 * graphql-shield over `schema` with anything unlisted denied, and rules that return errors
 * carrying our codes passed through as they are.
 *
 * Shield wraps every field of every object type in an async middleware, its rule `allow` or
 * not: a page of 20 titles then pays a few promises per scalar. The generated middleware is
 * kept only for fields whose rule is not `allow`; a public field keeps its own resolver, which
 * is what shield would have called after `allow` said yes. Denied-by-default stays as it was:
 * an unlisted field's rule is the fallback, `deny`, so it is wrapped.
 */
export function guardSchema(schema: GraphQLSchema, rules: IRules): GraphQLSchema {
  const options = { fallbackRule: deny, fallbackError: () => forbidden(), allowExternalErrors: true, debug: false };
  // Shield's generator answers a map of type → field → middleware for every object type.
  const generated = shield(rules, options).generate(schema) as Record<string, IMiddlewareFieldMap>;
  const guarded: IMiddlewareTypeMap = {};
  for (const [typeName, fields] of Object.entries(generated)) {
    if (!isObjectType(schema.getType(typeName))) continue;
    const kept = Object.entries(fields).filter(([fieldName]) => ruleFor(rules, typeName, fieldName) !== allow);
    if (kept.length > 0) guarded[typeName] = Object.fromEntries(kept);
  }
  return applyMiddleware(schema, guarded);
}
