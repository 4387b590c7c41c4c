import { ArgsType, Field, ID, Int } from 'type-graphql';

// Argument classes keep the contract's argument order in the printed schema.
@ArgsType()
export class RateContentArgs {
  @Field(() => ID)
  contentId: string;

  @Field(() => Int, { description: '1 (worst) to 10 (best).' })
  score: number;

  @Field(() => String, { nullable: true, description: 'Plain text, at most 2,000 characters; blank clears it.' })
  review?: string | null;
}

@ArgsType()
export class RatingPageArgs {
  @Field(() => Int, { nullable: true, defaultValue: 20, description: '1 to 100.' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page.' })
  after?: string | null;
}
