import { Directive, Field, Int, ObjectType } from 'type-graphql';
import { Rating, type RatingDocument } from './rating.model';

// The same value type as the other subgraphs' connections, hence @shareable.
@Directive('@shareable')
@ObjectType()
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `after` to read the next page.' })
  endCursor: string | null;
}

@ObjectType()
export class RatingEdge {
  @Field(() => String)
  cursor: string;

  @Field(() => Rating)
  node: RatingDocument;
}

@ObjectType()
export class RatingConnection {
  @Field(() => [RatingEdge])
  edges: RatingEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int, { description: 'All ratings in the list, on every page.' })
  totalCount: number;
}
