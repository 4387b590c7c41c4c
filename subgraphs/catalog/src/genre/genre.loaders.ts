import { byIdLoader } from '@ott/kit';
import type { CatalogueReader } from '../catalogue/catalogue.reader';
import { genresByIds, type GenreRecord } from './genre.service';

/** Per-request loader of genres, from the request's genre list (memory, or one cache read per batch), answered in key order. */
export function createGenreLoaders(catalogue: CatalogueReader) {
  return { genreById: byIdLoader<GenreRecord>((ids) => genresByIds(catalogue, ids)) };
}
