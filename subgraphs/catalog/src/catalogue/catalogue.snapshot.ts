import { decodeKeysetCursor, encodeCursor, objectIdOrNull, type Page } from '@ott/kit';
import type { ContentSort } from '../content/content.inputs';
import { isAvailable, type ContentRecord } from '../content/content.model';
import { CONTENT_SORTS, SORTS, type BrowseMatch } from '../content/content.sorts';
import type { EpisodeRecord } from '../episode/episode.model';
import type { GenreRecord } from '../genre/genre.service';
import type { CatalogueReader } from './catalogue.reader';

type Compare<T> = (a: T, b: T) => number;

/**
 * Code point order, which is the UTF-8 byte order MongoDB and FerretDB sort strings by. `<`
 * compares UTF-16 units instead, which puts characters beyond U+FFFF (surrogate pairs) before
 * U+E000–U+FFFF; moving the two ranges past each other restores code point order.
 */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return inCodePointOrder(x) - inCodePointOrder(y);
  }
  return a.length - b.length;
}

const inCodePointOrder = (unit: number) => (unit >= 0xe000 ? unit - 0x800 : unit >= 0xd800 ? unit + 0x2000 : unit);
const byId: Compare<{ id: string }> = (a, b) => compareStrings(a.id, b.id);

function compareBySort(sort: ContentSort): Compare<ContentRecord> {
  const { field, direction } = SORTS[sort];
  return (a, b) => {
    const x = a[field];
    const y = b[field];
    const order = typeof x === 'string' && typeof y === 'string' ? compareStrings(x, y) : (x as number) - (y as number);
    return order * direction || byId(a, b);
  };
}

/** Rankings a snapshot keeps at most (page sizes × genre sets: a few hundred in practice). */
const SIMILAR_RANKINGS_KEPT = 10_000;

/** `similar`'s candidate order: best rated, then most popular, then id. */
const similarOrder: Compare<ContentRecord> = (a, b) => b.ratingKey - a.ratingKey || b.popularity - a.popularity || byId(a, b);

const episodeOrder: Compare<EpisodeRecord> = (a, b) => a.seasonNumber - b.seasonNumber || a.episodeNumber - b.episodeNumber;

const genreOrder: Compare<GenreRecord> = (a, b) => compareStrings(a.name, b.name) || byId(a, b);

export interface SnapshotData {
  contents: ReadonlyMap<string, ContentRecord>;
  episodes: ReadonlyMap<string, EpisodeRecord>;
  genres: readonly GenreRecord[];
}

/**
 * One immutable copy of the catalogue in memory, with the titles still in the catalogue
 * pre-sorted in every order a read needs, answering each catalogue read as the database
 * query would (same order, same ties, same cursors), synchronously. A change builds a new
 * snapshot; requests holding the old one (their reader) are not disturbed.
 */
export class CatalogueSnapshot implements CatalogueReader {
  readonly size: number;
  private readonly orders: Record<ContentSort, ContentRecord[]>;
  private readonly similarCandidates: ContentRecord[];
  /** `similar` rankings by page size and genre set, computed on first use (see similarIds). */
  private readonly similarByGenres = new Map<string, string[]>();
  private readonly episodesByShow = new Map<string, EpisodeRecord[]>();
  private readonly genreList: readonly GenreRecord[];

  constructor(readonly data: SnapshotData) {
    const live = [...data.contents.values()].filter(isAvailable);
    this.orders = Object.fromEntries(CONTENT_SORTS.map((sort) => [sort, [...live].sort(compareBySort(sort))])) as Record<ContentSort, ContentRecord[]>;
    this.similarCandidates = [...live].sort(similarOrder);
    for (const episode of data.episodes.values()) {
      const list = this.episodesByShow.get(episode.showId);
      if (list) list.push(episode);
      else this.episodesByShow.set(episode.showId, [episode]);
    }
    for (const list of this.episodesByShow.values()) list.sort(episodeOrder);
    this.genreList = [...data.genres].sort(genreOrder);
    this.size = data.contents.size + data.episodes.size + data.genres.length;
  }

  /** A new snapshot with these records replaced or added (genres kept). */
  with(contents: readonly ContentRecord[], episodes: readonly EpisodeRecord[]): CatalogueSnapshot {
    const nextContents = new Map(this.data.contents);
    for (const record of contents) nextContents.set(record.id, record);
    const nextEpisodes = new Map(this.data.episodes);
    for (const record of episodes) nextEpisodes.set(record.id, record);
    return new CatalogueSnapshot({ contents: nextContents, episodes: nextEpisodes, genres: this.data.genres });
  }

  contentsByIds(ids: readonly string[]): Map<string, ContentRecord> {
    return pick(this.data.contents, ids);
  }

  episodesByIds(ids: readonly string[]): Map<string, EpisodeRecord> {
    return pick(this.data.episodes, ids);
  }

  episodesOfShows(showIds: readonly string[]): EpisodeRecord[] {
    return [...new Set(showIds)].flatMap((showId) => this.episodesByShow.get(showId) ?? []);
  }

  browse(match: BrowseMatch, sort: ContentSort, size: number, after: string | null): Page<ContentRecord> {
    const { field } = SORTS[sort];
    const order = this.orders[sort];
    let start = 0;
    if (after) {
      const { value, id } = decodeKeysetCursor(after, { scope: sort, valueType: field === 'titleNormalized' ? 'string' : 'number', parseId: objectIdOrNull });
      const position = { [field]: value, id: String(id) } as unknown as ContentRecord;
      start = firstAfter(order, position, compareBySort(sort));
    }
    const matches = matcher(match);
    const nodes: ContentRecord[] = [];
    let hasNextPage = false;
    for (let i = start; i < order.length; i += 1) {
      if (!matches(order[i]!)) continue;
      if (nodes.length === size) {
        hasNextPage = true;
        break;
      }
      nodes.push(order[i]!);
    }
    let totalCount = 0;
    for (const record of order) if (matches(record)) totalCount += 1;
    const edges = nodes.map((node) => ({ cursor: encodeCursor([sort, node[field], node.id]), node }));
    return { edges, pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null }, totalCount };
  }

  search(normalized: string, size: number): ContentRecord[] {
    const byPopularity = this.orders.POPULARITY_DESC;
    const found = byPopularity.filter((record) => record.titleNormalized.startsWith(normalized)).slice(0, size);
    if (found.length === size) return found;
    for (const record of byPopularity) {
      if (found.length === size) break;
      if (!record.titleNormalized.startsWith(normalized) && record.titleNormalized.includes(normalized)) found.push(record);
    }
    return found;
  }

  featured(size: number): ContentRecord[] {
    return this.orders.POPULARITY_DESC.filter((record) => record.featured).slice(0, size);
  }

  similarIds(items: readonly Pick<ContentRecord, 'id' | 'genreIds'>[], size: number): Map<string, string[]> {
    const found = new Map<string, string[]>();
    for (const item of items) found.set(item.id, this.similarTo(item, size));
    return found;
  }

  genres(): readonly GenreRecord[] {
    return this.genreList;
  }

  /**
   * Up to `size` other titles sharing the most genres with the item; among equals, the candidate
   * order. Titles with the same genres get the same ranking (less themselves), so it is computed
   * once per genre set and page size for the life of this snapshot: a title page then costs a
   * lookup instead of a pass over the whole catalogue.
   */
  private similarTo(item: Pick<ContentRecord, 'id' | 'genreIds'>, size: number): string[] {
    const own = new Set(item.genreIds);
    if (own.size === 0) return [];
    const key = `${size}:${[...own].sort().join(',')}`;
    let ranked = this.similarByGenres.get(key);
    if (!ranked) {
      // One more than asked for: the item itself may be among them.
      ranked = this.rankByGenres(own, size + 1);
      if (this.similarByGenres.size < SIMILAR_RANKINGS_KEPT) this.similarByGenres.set(key, ranked);
    }
    return ranked.filter((id) => id !== item.id).slice(0, size);
  }

  private rankByGenres(own: ReadonlySet<string>, size: number): string[] {
    const bySharedCount: string[][] = [];
    for (const candidate of this.similarCandidates) {
      let shared = 0;
      for (const genreId of candidate.genreIds) if (own.has(genreId)) shared += 1;
      if (shared === 0) continue;
      const bucket = (bySharedCount[shared] ??= []);
      if (bucket.length < size) bucket.push(candidate.id);
    }
    return bySharedCount
      .reverse()
      .flatMap((bucket) => bucket ?? [])
      .slice(0, size);
  }
}

function pick<T>(records: ReadonlyMap<string, T>, ids: readonly string[]): Map<string, T> {
  const found = new Map<string, T>();
  for (const id of ids) {
    const record = records.get(id);
    if (record) found.set(id, record);
  }
  return found;
}

/** The index of the first element ordered after `position`. */
function firstAfter<T>(sorted: readonly T[], position: T, compare: Compare<T>): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compare(sorted[middle]!, position) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The browse filter as a predicate; a year bound never matches a title without a year, as in the database. */
function matcher({ kind, genreId, releaseYearFrom, releaseYearTo }: BrowseMatch): (record: ContentRecord) => boolean {
  return (record) =>
    (kind === undefined || record.kind === kind) &&
    (genreId === undefined || record.genreIds.includes(genreId)) &&
    (releaseYearFrom === undefined || (record.releaseYear != null && record.releaseYear >= releaseYearFrom)) &&
    (releaseYearTo === undefined || (record.releaseYear != null && record.releaseYear <= releaseYearTo));
}
