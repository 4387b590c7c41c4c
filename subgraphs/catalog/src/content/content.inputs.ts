import { Field, ID, InputType, Int } from 'type-graphql';

@InputType()
export class MovieInput {
  @Field(() => String)
  title: string;

  @Field(() => String, { nullable: true })
  synopsis?: string | null;

  @Field(() => [ID])
  genreIds: string[];

  @Field(() => Int, { nullable: true })
  releaseYear?: number | null;

  @Field(() => Int, { nullable: true })
  runtimeMinutes?: number | null;

  @Field(() => String, { nullable: true })
  director?: string | null;

  @Field(() => [String], { nullable: true })
  cast?: string[] | null;

  @Field(() => String, { nullable: true })
  maturityRating?: string | null;

  @Field(() => String, { nullable: true, description: 'An http(s) URL.' })
  posterUrl?: string | null;
}

@InputType()
export class TvShowInput {
  @Field(() => String)
  title: string;

  @Field(() => String, { nullable: true })
  synopsis?: string | null;

  @Field(() => [ID])
  genreIds: string[];

  @Field(() => Int, { nullable: true })
  releaseYear?: number | null;

  @Field(() => String, { nullable: true })
  maturityRating?: string | null;

  @Field(() => String, { nullable: true, description: 'An http(s) URL.' })
  posterUrl?: string | null;
}
