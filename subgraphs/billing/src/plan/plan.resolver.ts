import { Ctx, Query, Resolver } from 'type-graphql';
import { AssumedSize } from '@ott/kit';
import type { Context } from '../context';
import { Plan, type PlanDocument } from './plan.model';

@Resolver(() => Plan)
export class PlanResolver {
  @AssumedSize(3)
  @Query(() => [Plan], { description: 'Every plan on offer, cheapest first.' })
  plans(@Ctx() ctx: Context): PlanDocument[] {
    return ctx.plans.all();
  }
}
