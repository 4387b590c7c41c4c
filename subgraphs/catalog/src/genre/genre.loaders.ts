import { byIdLoader } from '@ott/kit';
import type { GenreRecord, GenreService } from './genre.service';

/** Per-request loader of genres (one cache read per batch), answered in key order. */
export function createGenreLoaders(genres: GenreService) {
  return { genreById: byIdLoader<GenreRecord>((ids) => genres.byIds(ids)) };
}
