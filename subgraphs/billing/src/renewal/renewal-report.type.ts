import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'What one renewal run did; a second run for the same date reports zeros.' })
export class RenewalReport {
  @Field(() => Date)
  asOf: Date;

  @Field(() => Int, { description: 'Periods renewed and invoiced as PAID.' })
  renewed: number;

  @Field(() => Int, { description: 'Memberships made PAST_DUE by a declined renewal (an OPEN invoice each).' })
  pastDue: number;

  @Field(() => Int, { description: 'Canceled memberships ended at their period end.' })
  ended: number;
}
