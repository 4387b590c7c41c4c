import { Field, ID, InputType, Int, registerEnumType } from 'type-graphql';
import { ContentKind } from './content.model';

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

export const ContentSort = {
  TITLE: 'TITLE',
  RELEASE_YEAR_DESC: 'RELEASE_YEAR_DESC',
  POPULARITY_DESC: 'POPULARITY_DESC',
  RATING_DESC: 'RATING_DESC',
} as const;
export type ContentSort = (typeof ContentSort)[keyof typeof ContentSort];
registerEnumType(ContentSort, {
  name: 'ContentSort',
  description: 'Order of a browse. Titles without a year or rating come after those with one.',
  valuesConfig: {
    TITLE: { description: 'A to Z, ignoring case, accents and punctuation.' },
    RELEASE_YEAR_DESC: { description: 'Newest first.' },
    POPULARITY_DESC: { description: 'Most watched first (IMDB votes for imported titles).' },
    RATING_DESC: { description: 'Best rated first, by the rating the catalogue holds for sorting.' },
  },
});

@InputType({ description: 'Every given criterion must match.' })
export class ContentFilter {
  @Field(() => ContentKind, { nullable: true })
  kind?: ContentKind | null;

  @Field(() => String, { nullable: true })
  genreSlug?: string | null;

  @Field(() => Int, { nullable: true, description: 'Inclusive.' })
  releaseYearFrom?: number | null;

  @Field(() => Int, { nullable: true, description: 'Inclusive.' })
  releaseYearTo?: number | null;
}
