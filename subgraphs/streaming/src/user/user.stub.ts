import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** Owned by users; streaming adds the member's progress, history and active sessions. */
@Directive('@key(fields: "id")')
@ObjectType('User')
export class User {
  @Field(() => ID)
  id: string;
}
