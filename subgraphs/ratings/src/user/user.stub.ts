import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** Owned by users; this subgraph adds `ratings` and hands out `{ id }` references. */
@Directive('@key(fields: "id")')
@ObjectType('User')
export class User {
  @Field(() => ID)
  id: string;
}

export interface UserRef {
  id: string;
}
