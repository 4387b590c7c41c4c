import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** Owned by users; billing only adds the member's membership, entitlements and invoices. */
@Directive('@key(fields: "id")')
@ObjectType()
export class User {
  @Field(() => ID)
  id: string;
}
