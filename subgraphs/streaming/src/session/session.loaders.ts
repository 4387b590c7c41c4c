import { byIdLoader } from '@ott/kit';
import type { SessionView } from './session.model';
import type { PlaybackService } from './session.service';

/** Per-request loader of playback sessions: one query per batch, in key order. */
export function createSessionLoaders(playback: PlaybackService) {
  return { sessionById: byIdLoader<SessionView>((ids) => playback.findByIds(ids)) };
}
