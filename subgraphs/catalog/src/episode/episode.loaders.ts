import DataLoader from 'dataloader';
import { byIdLoader } from '@ott/kit';
import type { CatalogueReader } from '../catalogue/catalogue.reader';
import type { EpisodeRecord } from './episode.model';
import type { EpisodeService } from './episode.service';

/** Per-request loaders of episodes: one read of the request's catalogue per batch (memory, or one query), answered in key order. */
export function createEpisodeLoaders(episodes: EpisodeService, catalogue: CatalogueReader) {
  return {
    episodeById: byIdLoader<EpisodeRecord>((ids) => episodes.findByIds(catalogue, ids)),
    /** Every episode of each show. */
    episodesByShowId: new DataLoader<string, EpisodeRecord[]>(async (showIds) => {
      const found = await episodes.findByShowIds(catalogue, showIds);
      return showIds.map((showId) => found.filter((episode) => episode.showId === showId));
    }),
  };
}
