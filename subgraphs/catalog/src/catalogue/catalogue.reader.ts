import type { ContentSort } from '../content/content.inputs';
import type { ContentRecord } from '../content/content.model';
import type { BrowseMatch } from '../content/content.sorts';
import type { EpisodeRecord } from '../episode/episode.model';
import type { GenreRecord } from '../genre/genre.service';
import type { ContentConnection } from '../content/content.connection';

/** Answered at once (from memory) or later (from the database). */
export type Awaitable<T> = T | Promise<T>;

/**
 * Every catalogue read a request makes, with its arguments already checked. Two answer it:
 * the snapshot in memory (`CatalogueSnapshot`) and the database through the Redis cache
 * (`DatabaseCatalogueReader`); `CatalogueReadModel.reader()` picks one when a request's
 * context is built, and the request reads only through it, so it sees one catalogue
 * throughout even when a write lands while it runs. Both answer alike: same order, same
 * ties, same cursors, same errors (`test/catalog.memory-reads.test.ts` compares them).
 */
export interface CatalogueReader {
  /** Valid ids only; tombstones included, as `_entities` needs them. */
  contentsByIds(ids: readonly string[]): Awaitable<Map<string, ContentRecord>>;
  /** A page in the sort's order, ties by id ascending; the cursor names its sort. */
  browse(match: BrowseMatch, sort: ContentSort, size: number, after: string | null): Awaitable<ContentConnection>;
  /** Prefix matches of the normalised title first, then titles containing it; most popular first. */
  search(normalized: string, size: number): Awaitable<ContentRecord[]>;
  /** Featured titles, most popular first. */
  featured(size: number): Awaitable<ContentRecord[]>;
  /** For each item, up to `size` other titles sharing the most genres with it, best rated first. */
  similarIds(items: readonly Pick<ContentRecord, 'id' | 'genreIds'>[], size: number): Awaitable<Map<string, string[]>>;
  /** Every genre, by name. */
  genres(): Awaitable<readonly GenreRecord[]>;
  /** Valid ids only. */
  episodesByIds(ids: readonly string[]): Awaitable<Map<string, EpisodeRecord>>;
  /** Every episode of the given shows, in season and episode order. */
  episodesOfShows(showIds: readonly string[]): Awaitable<EpisodeRecord[]>;
}
