import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { RenewalReport } from './renewal-report.type';

@Resolver(() => RenewalReport)
export class RenewalResolver {
  @Mutation(() => RenewalReport, {
    description: 'ADMIN: bills every membership whose period ended by asOf. Idempotent: running it again for the same date changes nothing.',
  })
  runRenewals(@Arg('asOf', () => Date) asOf: Date, @Ctx() ctx: Context): Promise<RenewalReport> {
    return ctx.renewals.runRenewals(asOf);
  }
}
