import { PageInfo } from '@ott/kit';
import { Directive, Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Content, ContentKind, type ContentRecord } from './content.model';

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

@Directive('@cacheControl(inheritMaxAge: true)')
@ObjectType()
export class ContentEdge {
  @Field(() => String)
  cursor: string;

  @Field(() => Content)
  node: ContentRecord;
}

@Directive('@cacheControl(inheritMaxAge: true)')
@ObjectType()
export class ContentConnection {
  @Field(() => [ContentEdge])
  edges: ContentEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int, { description: 'Matches of the filter, on every page.' })
  totalCount: number;
}
