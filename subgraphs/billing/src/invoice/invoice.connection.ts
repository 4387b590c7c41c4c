import { PageInfo } from '@ott/kit';
import { Field, Int, ObjectType } from 'type-graphql';
import { Invoice } from './invoice.model';
import type { InvoiceDocument } from './invoice.model';

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
