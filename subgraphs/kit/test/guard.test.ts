import { buildSchema, graphql, type GraphQLFieldResolver, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { allow, deny } from 'graphql-shield';
import { describe, expect, it } from 'vitest';
import { guardSchema, ruleFor } from '../src/guard';
import { isAdmin, isSignedIn } from '../src/rules';

const sdl = `
  type Query { title(id: ID!): Title, secret: String, me: Member }
  type Title { id: ID!, name: String!, revenue: Int }
  type Member { id: ID!, email: String! }
`;

const titleResolver: GraphQLFieldResolver<unknown, unknown> = (_parent, args: { id: string }) => ({ id: args.id, name: `Title ${args.id}`, revenue: 7 });

function schemaWithResolvers(): GraphQLSchema {
  const schema = buildSchema(sdl);
  const query = schema.getQueryType()!;
  query.getFields().title.resolve = titleResolver;
  query.getFields().secret.resolve = () => 'hidden';
  query.getFields().me.resolve = () => ({ id: 'm1', email: 'm1@example.test' });
  return schema;
}

const rules = {
  Query: { title: allow, me: isSignedIn },
  Title: { '*': allow, revenue: isAdmin },
  Member: isSignedIn,
};

const fieldsOf = (schema: GraphQLSchema, type: string) => (schema.getType(type) as GraphQLObjectType).getFields();

describe('guardSchema', () => {
  it('resolves rules as graphql-shield does: field, then the type wildcard, then the type rule, then deny', () => {
    expect(ruleFor(rules, 'Query', 'title')).toBe(allow);
    expect(ruleFor(rules, 'Query', 'secret')).toBe(deny);
    expect(ruleFor(rules, 'Title', 'name')).toBe(allow);
    expect(ruleFor(rules, 'Title', 'revenue')).toBe(isAdmin);
    expect(ruleFor(rules, 'Member', 'email')).toBe(isSignedIn);
    expect(ruleFor(rules, 'Unlisted', 'anything')).toBe(deny);
  });

  it('leaves public fields their own resolvers and wraps every other field', () => {
    const guarded = guardSchema(schemaWithResolvers(), rules);
    expect(fieldsOf(guarded, 'Query').title.resolve).toBe(titleResolver);
    // A scalar with no resolver of its own keeps graphql's default: nothing between it and its parent.
    expect(fieldsOf(guarded, 'Title').name.resolve).toBeUndefined();
    for (const [type, field] of [
      ['Query', 'secret'],
      ['Query', 'me'],
      ['Title', 'revenue'],
      ['Member', 'email'],
    ] as const) {
      expect(fieldsOf(guarded, type)[field].resolve, `${type}.${field}`).toBeTypeOf('function');
    }
  });

  it('serves public fields to anyone and refuses the rest with our codes', async () => {
    const guarded = guardSchema(schemaWithResolvers(), rules);
    const anonymous = await graphql({ schema: guarded, source: '{ title(id: "t1") { id name revenue } }', contextValue: {} });
    expect(anonymous.data).toEqual({ title: { id: 't1', name: 'Title t1', revenue: null } });
    expect(anonymous.errors?.map((e) => [e.path?.join('.'), e.extensions.code])).toEqual([['title.revenue', 'UNAUTHENTICATED']]);

    const unlisted = await graphql({ schema: guarded, source: '{ secret }', contextValue: {} });
    expect(unlisted.data).toEqual({ secret: null });
    expect(unlisted.errors?.[0].extensions.code).toBe('FORBIDDEN');

    const member = { user: { id: 'm1', role: 'USER' } };
    const signedIn = await graphql({ schema: guarded, source: '{ me { id email } title(id: "t2") { revenue } }', contextValue: member });
    expect(signedIn.data).toEqual({ me: { id: 'm1', email: 'm1@example.test' }, title: { revenue: null } });
    expect(signedIn.errors?.map((e) => [e.path?.join('.'), e.extensions.code])).toEqual([['title.revenue', 'FORBIDDEN']]);

    const admin = await graphql({ schema: guarded, source: '{ title(id: "t3") { revenue } }', contextValue: { user: { id: 'a1', role: 'ADMIN' } } });
    expect(admin).toEqual({ data: { title: { revenue: 7 } } });
  });
});
