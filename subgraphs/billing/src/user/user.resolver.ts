import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { PagedByFirst } from '@ott/kit';
import type { Context } from '../context';
import { Entitlements } from '../entitlements/entitlements.type';
import { InvoiceConnection } from '../invoice/invoice.connection';
import type { InvoicePage } from '../invoice/invoice.service';
import { Membership, type MembershipDocument } from '../membership/membership.model';
import { User } from './user.stub';

@Resolver(() => User)
export class UserBillingResolver {
  @FieldResolver(() => Membership, { nullable: true, description: 'Null when the user never subscribed.' })
  membership(@Root() user: User, @Ctx() ctx: Context): Promise<MembershipDocument | null> {
    return ctx.loaders.membershipByUser.load(user.id);
  }

  @FieldResolver(() => Entitlements, { nullable: true })
  entitlements(@Root() user: User, @Ctx() ctx: Context): Promise<Entitlements> {
    return ctx.loaders.entitlementsByUser.load(user.id);
  }

  @PagedByFirst()
  @FieldResolver(() => InvoiceConnection, { nullable: true })
  invoices(
    @Root() user: User,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20, description: '1 to 100.' }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: Context,
  ): Promise<InvoicePage> {
    return ctx.invoices.listForUser(user.id, first, after);
  }
}
