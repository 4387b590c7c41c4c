import { Field, ID, InputType, Int } from 'type-graphql';
import { PlaybackState, VideoQuality } from './session.enums';

@InputType({ description: 'What to play, and on what.' })
export class StartPlaybackInput {
  @Field(() => ID)
  contentId: string;

  @Field(() => ID, { nullable: true, description: 'For a TV show: the episode; without it, the show’s first episode.' })
  episodeId?: string | null;

  @Field(() => String, { description: 'The player’s name for the device, 1 to 64 characters, e.g. "living-room-tv".' })
  device: string;

  @Field(() => VideoQuality, { nullable: true, description: 'Asked-for quality; capped by the plan (default: the best it allows).' })
  quality?: VideoQuality | null;
}

@InputType({ description: 'A heartbeat: where the player is, and whether it plays.' })
export class UpdatePlaybackInput {
  @Field(() => ID)
  sessionId: string;

  @Field(() => Int, { description: 'Seconds from the start, 0 or more (and within the title’s runtime).' })
  positionSeconds: number;

  @Field(() => PlaybackState, { nullable: true, description: 'PLAYING or PAUSED (default: unchanged); ENDED when the player reached the end.' })
  state?: PlaybackState | null;
}
