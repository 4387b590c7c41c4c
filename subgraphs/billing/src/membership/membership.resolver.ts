import { requireUser } from '@ott/kit';
import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { Plan, PlanCode, type PlanDocument } from '../plan/plan.model';
import { SubscribeToPlanInput } from './membership.inputs';
import { Membership, type MembershipDocument } from './membership.model';

@Resolver(() => Membership)
export class MembershipResolver {
  @FieldResolver(() => Plan)
  // Typed as the document: a class-typed root would be copied and lose the document's getters.
  plan(@Root() membership: MembershipDocument, @Ctx() ctx: Context): PlanDocument {
    return ctx.plans.get(membership.planCode);
  }

  @Mutation(() => Membership, {
    description:
      'Charges the plan’s first month now, issues a PAID invoice and activates the membership. Replaying the idempotencyKey answers the first result without charging again.',
  })
  subscribeToPlan(@Arg('input', () => SubscribeToPlanInput) input: SubscribeToPlanInput, @Ctx() ctx: Context): Promise<MembershipDocument> {
    return ctx.memberships.subscribe(requireUser(ctx).id, input);
  }

  @Mutation(() => Membership, {
    description: 'Switches plan now: an upgrade charges the prorated difference for the rest of the period, a downgrade credits it to the next invoice.',
  })
  changePlan(@Arg('planCode', () => PlanCode) planCode: PlanCode, @Ctx() ctx: Context): Promise<MembershipDocument> {
    return ctx.memberships.changePlan(requireUser(ctx).id, planCode);
  }

  @Mutation(() => Membership, { description: 'Stops renewal: the membership stays ACTIVE until currentPeriodEnd, then ends.' })
  cancelMembership(@Ctx() ctx: Context): Promise<MembershipDocument> {
    return ctx.memberships.cancel(requireUser(ctx).id);
  }
}
