import { forbidden, requireUser } from '@ott/kit';
import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { User } from '../user/user.stub';
import { Invoice, type InvoiceDocument } from './invoice.model';

@Resolver(() => Invoice)
export class InvoiceResolver {
  @Query(() => Invoice, { nullable: true, description: 'One of the signed-in user’s invoices (ADMIN: anyone’s); null if there is none with this id.' })
  async invoice(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<InvoiceDocument | null> {
    const user = requireUser(ctx);
    const invoice = await ctx.loaders.invoiceById.load(id);
    if (invoice && invoice.userId !== user.id && user.role !== 'ADMIN') throw forbidden('This invoice belongs to another user.');
    return invoice;
  }

  @FieldResolver(() => User)
  user(@Root() invoice: InvoiceDocument): User {
    return { id: invoice.userId };
  }
}
