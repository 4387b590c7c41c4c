import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** Owned by catalog; users only stores genre ids and hands out references. */
@Directive('@key(fields: "id", resolvable: false)')
@ObjectType()
export class Genre {
  @Field(() => ID)
  id: string;
}
