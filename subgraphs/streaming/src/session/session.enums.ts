import { registerEnumType } from 'type-graphql';

export const PlaybackState = { PLAYING: 'PLAYING', PAUSED: 'PAUSED', ENDED: 'ENDED' } as const;
export type PlaybackState = (typeof PlaybackState)[keyof typeof PlaybackState];
registerEnumType(PlaybackState, { name: 'PlaybackState', description: 'Where a playback session stands; ENDED is final.' });

// Billing declares the same enum; composition merges the two because their values agree.
export const VideoQuality = { SD: 'SD', HD: 'HD', UHD: 'UHD' } as const;
export type VideoQuality = (typeof VideoQuality)[keyof typeof VideoQuality];
registerEnumType(VideoQuality, { name: 'VideoQuality', description: 'Picture quality, lowest first.' });

/** Lowest first, so a cap is an index comparison. */
export const QUALITIES: readonly VideoQuality[] = [VideoQuality.SD, VideoQuality.HD, VideoQuality.UHD];

/** The asked-for quality (default: the best allowed), never above what the plan allows. */
export function cappedQuality(asked: VideoQuality | null | undefined, allowed: VideoQuality): VideoQuality {
  if (!asked) return allowed;
  return QUALITIES.indexOf(asked) <= QUALITIES.indexOf(allowed) ? asked : allowed;
}

export const PlaybackEndReason = {
  STOPPED: 'STOPPED',
  FINISHED: 'FINISHED',
  TIMED_OUT: 'TIMED_OUT',
  CONTENT_REMOVED: 'CONTENT_REMOVED',
} as const;
export type PlaybackEndReason = (typeof PlaybackEndReason)[keyof typeof PlaybackEndReason];
registerEnumType(PlaybackEndReason, {
  name: 'PlaybackEndReason',
  description: 'Why a session ended.',
  valuesConfig: {
    STOPPED: { description: 'stopPlayback was called.' },
    FINISHED: { description: 'The player reported the end of the video (updatePlayback with state ENDED).' },
    TIMED_OUT: { description: 'No heartbeat arrived for the playback timeout (90 s by default).' },
    CONTENT_REMOVED: { description: 'The title was removed from the catalogue while it played.' },
  },
});
