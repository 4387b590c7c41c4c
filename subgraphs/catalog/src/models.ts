import type { Connection } from 'mongoose';
import { createContentModels } from './content/content.model';
import { createEpisodeModel } from './episode/episode.model';
import { createGenreModel } from './genre/genre.model';

export function createModels(mongo: Connection) {
  return { ...createContentModels(mongo), episodes: createEpisodeModel(mongo), genres: createGenreModel(mongo) };
}

export type CatalogModels = ReturnType<typeof createModels>;

/** Every collection with its indexes; the kinds' models share the contents collection. */
export const indexedModels = (models: CatalogModels) => [models.contents, models.episodes, models.genres];
