import DataLoader from 'dataloader';
import type { PlayCounts } from '../plays/play-counts';
import type { CatalogTitles } from './catalog-titles';

/** Per-request loaders of what streaming knows of a title: one catalog call, or one Redis round trip, per batch. */
export function createContentLoaders(services: { plays: PlayCounts; titles: CatalogTitles }, requestId: string) {
  return {
    title: services.titles.createLoader(requestId),
    playCount: new DataLoader<string, number>((contentIds) => services.plays.playCounts(contentIds)),
  };
}
