import { extendSchema, parse, type GraphQLSchema } from 'graphql';

/** graphql 16 does not know @defer: the API schema declares it as the incremental delivery RFC does. */
const DEFER_DIRECTIVE = parse(`
"""
Delivers the fragment's fields in a later part of a multipart/mixed answer (Accept: multipart/mixed;deferSpec=20220824),
or with the rest in one answer to a client that takes JSON. Queries only.
"""
directive @defer(label: String, if: Boolean! = true) on FRAGMENT_SPREAD | INLINE_FRAGMENT
`);

/** The API schema with @defer declared: what Apollo Server validates against, and schema/api.graphql. */
export function withDefer(schema: GraphQLSchema): GraphQLSchema {
  return schema.getDirective('defer') ? schema : extendSchema(schema, DEFER_DIRECTIVE);
}
