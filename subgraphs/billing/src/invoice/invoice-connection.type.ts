import { Directive, Field, Int, ObjectType } from 'type-graphql';
import { Invoice } from './invoice.model';
import type { InvoiceDocument } from './invoice.model';

// Every subgraph with a connection declares PageInfo; @shareable lets them all resolve it.
@Directive('@shareable')
@ObjectType()
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage: boolean;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

@ObjectType()
export class InvoiceEdge {
  @Field(() => String)
  cursor: string;

  @Field(() => Invoice)
  node: InvoiceDocument;
}

@ObjectType({ description: 'Invoices, newest first.' })
export class InvoiceConnection {
  @Field(() => [InvoiceEdge])
  edges: InvoiceEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int)
  totalCount: number;
}
