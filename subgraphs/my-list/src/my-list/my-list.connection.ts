import { PageInfo } from '@ott/kit';
import { Field, Int, ObjectType } from 'type-graphql';
import { MyListItem, type MyListEntry } from './my-list-item.model';

@ObjectType()
export class MyListEdge {
  @Field(() => String)
  cursor: string;

  @Field(() => MyListItem)
  node: MyListEntry;
}

@ObjectType({ description: 'The signed-in user’s list, newest first.' })
export class MyListConnection {
  @Field(() => [MyListEdge])
  edges: MyListEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int, { description: 'Items in the whole list, on every page.' })
  totalCount: number;
}
