import { Field, InputType, Int } from 'type-graphql';

@InputType()
export class EpisodeInput {
  @Field(() => Int)
  seasonNumber: number;

  @Field(() => Int)
  episodeNumber: number;

  @Field(() => String)
  title: string;

  @Field(() => Int, { nullable: true })
  runtimeMinutes?: number | null;
}
