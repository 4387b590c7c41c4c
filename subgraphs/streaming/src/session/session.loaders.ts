import DataLoader from 'dataloader';
import { byIdLoader } from '@ott/kit';
import type { CatalogTitles } from '../content/catalog-titles';
import type { PlayCounts } from '../plays/play-counts';
import type { SessionView } from './session.model';
import type { PlaybackService } from './session.service';

/** Per-request loaders: one query (or one Redis round trip, or one catalog call) per batch, in key order. */
export function createStreamingLoaders(services: { playback: PlaybackService; plays: PlayCounts; titles: CatalogTitles }, requestId: string) {
  return {
    sessionById: byIdLoader<SessionView>((ids) => services.playback.findByIds(ids)),
    playCount: new DataLoader<string, number>((contentIds) => services.plays.playCounts(contentIds)),
    title: services.titles.createLoader(requestId),
  };
}
