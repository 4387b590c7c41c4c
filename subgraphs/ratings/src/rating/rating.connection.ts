import { PageInfo } from '@ott/kit';
import { Field, Int, ObjectType } from 'type-graphql';
import { Rating, type RatingDocument } from './rating.model';

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
