import { PageInfo } from '@ott/kit';
import { Directive, Field, Int, ObjectType } from 'type-graphql';
import { Content, type ContentRecord } from './content.model';

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
