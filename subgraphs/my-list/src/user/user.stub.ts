import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** Owned by users; my-list adds the list fields to it. */
@Directive('@key(fields: "id")')
@ObjectType('User')
export class User {
  @Field(() => ID)
  id: string;
}
