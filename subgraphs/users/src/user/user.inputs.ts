import { Field, ID, InputType } from 'type-graphql';

@InputType()
export class RegisterInput {
  @Field(() => String)
  email: string;

  @Field(() => String, { description: 'At least 8 characters.' })
  password: string;

  @Field(() => String)
  displayName: string;
}

@InputType({ description: 'Only the fields given are changed.' })
export class UpdateProfileInput {
  @Field(() => String, { nullable: true })
  displayName?: string | null;

  @Field(() => [ID], { nullable: true })
  favoriteGenreIds?: string[] | null;
}
