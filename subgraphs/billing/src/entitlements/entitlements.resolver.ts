import { requireUser } from '@ott/kit';
import { Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { Entitlements } from './entitlements.type';

@Resolver(() => Entitlements)
export class EntitlementsResolver {
  @Query(() => Entitlements, { description: 'What the signed-in user may stream now (cached; what streaming asks on every start).' })
  myEntitlements(@Ctx() ctx: Context): Promise<Entitlements> {
    return ctx.loaders.entitlementsByUser.load(requireUser(ctx).id);
  }
}
