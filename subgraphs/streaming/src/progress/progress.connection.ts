import { PageInfo } from '@ott/kit';
import { Field, Int, ObjectType } from 'type-graphql';
import { WatchProgress, type WatchProgressEntry } from './progress.model';

@ObjectType()
export class WatchProgressEdge {
  @Field(() => String)
  cursor: string;

  @Field(() => WatchProgress)
  node: WatchProgressEntry;
}

@ObjectType({ description: 'What the member watched, most recent first.' })
export class WatchProgressConnection {
  @Field(() => [WatchProgressEdge])
  edges: WatchProgressEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int, { description: 'Entries in the whole history, on every page.' })
  totalCount: number;
}
