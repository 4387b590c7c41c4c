import { Field, Int, ObjectType } from 'type-graphql';
import { VideoQuality } from '../plan/plan.model';

/** What streaming asks before every playback start; plain data so it can live in Redis. */
@ObjectType({ description: 'What the user may stream now, from their ACTIVE membership.' })
export class Entitlements {
  @Field(() => Int, { description: '0 without an ACTIVE membership.' })
  maxStreams: number;

  @Field(() => VideoQuality)
  maxQuality: VideoQuality;

  @Field(() => Boolean, { description: 'False without a membership, and when it is PAST_DUE or CANCELED.' })
  canStream: boolean;
}
