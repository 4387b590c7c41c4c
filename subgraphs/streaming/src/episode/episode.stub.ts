import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** Catalog's episode, as a reference only: streaming adds no field to it. */
@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('Episode')
export class Episode {
  @Field(() => ID)
  id: string;
}
