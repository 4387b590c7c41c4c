import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'How many titles of each kind the signed-in user has saved.' })
export class MyListStats {
  @Field(() => Int)
  total: number;

  @Field(() => Int)
  movies: number;

  @Field(() => Int)
  tvShows: number;
}
