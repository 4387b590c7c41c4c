import { keysetPage, objectIdOrNull, type VersionedCache } from '@ott/kit';
import type { QueryFilter } from 'mongoose';
import { CATALOG_SCOPE } from '../catalog.cache';
import type { ContentConnection } from '../content/content.connection';
import type { ContentSort } from '../content/content.inputs';
import { IN_CATALOGUE, toContentRecord, type Content, type ContentRecord } from '../content/content.model';
import { SORTS, type BrowseMatch } from '../content/content.sorts';
import { escapeRegex } from '../content/title';
import { toEpisodeRecord, type EpisodeRecord } from '../episode/episode.model';
import type { GenreRecord } from '../genre/genre.service';
import type { CatalogModels } from '../models';
import type { CatalogueReader } from './catalogue.reader';

/**
 * `similar` ranks every title sharing a genre, read in one round trip: exact and cheap for a
 * catalogue of thousands (a few hundred kB once per cache lifetime). A catalogue of millions
 * would precompute similarity instead.
 */
const SIMILAR_BATCH_SIZE = 50_000;

/**
 * The catalogue read from the database, for a process that does not hold it in memory (too
 * large, `CATALOG_MEMORY_MAX_DOCUMENTS=0`, or not loaded yet). Records, the genre list,
 * `featured`, first pages of `browse` and `similar` ids are kept in the Redis cache, one scope
 * that every catalogue write bumps (`CatalogueChanges`); later pages and searches are queries.
 */
export class DatabaseCatalogueReader implements CatalogueReader {
  private readonly contents: CatalogModels['contents'];

  constructor(
    private readonly models: CatalogModels,
    private readonly cache: VersionedCache,
  ) {
    this.contents = models.contents;
  }

  /** Read through Redis, with the misses of a batch as one `$in` query. */
  async contentsByIds(ids: readonly string[]): Promise<Map<string, ContentRecord>> {
    const byKey = await this.cache.getOrLoadMany(CATALOG_SCOPE, ids.map(contentKey), async (missing) => {
      const docs = await this.contents
        .find({ _id: { $in: missing.map(idOfKey) } })
        .lean()
        .exec();
      return new Map(docs.map((doc) => [contentKey(String(doc._id)), toContentRecord(doc)]));
    });
    return new Map([...byKey.values()].map((record) => [record.id, record]));
  }

  browse(match: BrowseMatch, sort: ContentSort, size: number, after: string | null): Promise<ContentConnection> {
    if (after) return this.browsePage(match, sort, size, after);
    const key = JSON.stringify(['browse', match.kind, match.genreId, match.releaseYearFrom, match.releaseYearTo, sort, size]);
    return this.cache.getOrLoad(CATALOG_SCOPE, key, () => this.browsePage(match, sort, size, null));
  }

  async search(normalized: string, size: number): Promise<ContentRecord[]> {
    const order = { popularity: -1, _id: 1 } as const;
    const prefix = await this.contents
      .find({ ...IN_CATALOGUE, titleNormalized: { $regex: `^${escapeRegex(normalized)}` } })
      .sort(order)
      .limit(size)
      .lean()
      .exec();
    if (prefix.length === size) return prefix.map(toContentRecord);
    const containing = await this.contents
      .find({ ...IN_CATALOGUE, titleNormalized: { $regex: escapeRegex(normalized) }, _id: { $nin: prefix.map((doc) => doc._id) } })
      .sort(order)
      .limit(size - prefix.length)
      .lean()
      .exec();
    return [...prefix, ...containing].map(toContentRecord);
  }

  featured(size: number): Promise<ContentRecord[]> {
    return this.cache.getOrLoad(CATALOG_SCOPE, `featured:${size}`, async () => {
      const docs = await this.contents
        .find({ ...IN_CATALOGUE, featured: true })
        .sort({ popularity: -1, _id: 1 })
        .limit(size)
        .lean()
        .exec();
      return docs.map(toContentRecord);
    });
  }

  /** One query serves the cache misses of a whole batch. */
  async similarIds(items: readonly Pick<ContentRecord, 'id' | 'genreIds'>[], size: number): Promise<Map<string, string[]>> {
    const keyOf = (id: string) => `similar:${size}:${id}`;
    const byKey = await this.cache.getOrLoadMany(
      CATALOG_SCOPE,
      items.map((item) => keyOf(item.id)),
      async (missing) => {
        const wanted = items.filter((item) => missing.includes(keyOf(item.id)));
        const genreIds = [...new Set(wanted.flatMap((item) => item.genreIds))];
        const candidates =
          genreIds.length === 0
            ? []
            : await this.contents
                .find({ ...IN_CATALOGUE, genreIds: { $in: genreIds } }, { genreIds: 1 })
                .sort({ ratingKey: -1, popularity: -1, _id: 1 })
                .batchSize(SIMILAR_BATCH_SIZE)
                .lean()
                .exec();
        const result = new Map<string, string[]>();
        for (const item of wanted) {
          const own = new Set(item.genreIds);
          const ranked = candidates
            .map((candidate, position) => ({ id: String(candidate._id), shared: candidate.genreIds.filter((g: string) => own.has(g)).length, position }))
            .filter((candidate) => candidate.shared > 0 && candidate.id !== item.id)
            .sort((a, b) => b.shared - a.shared || a.position - b.position);
          result.set(
            keyOf(item.id),
            ranked.slice(0, size).map((candidate) => candidate.id),
          );
        }
        return result;
      },
    );
    return new Map(items.map((item) => [item.id, byKey.get(keyOf(item.id)) ?? []]));
  }

  genres(): Promise<GenreRecord[]> {
    return this.cache.getOrLoad(CATALOG_SCOPE, 'genres', async () => {
      const docs = await this.models.genres.find().sort({ name: 1, _id: 1 }).lean().exec();
      return docs.map(({ _id, slug, name }) => ({ id: String(_id), slug, name }));
    });
  }

  async episodesByIds(ids: readonly string[]): Promise<Map<string, EpisodeRecord>> {
    const docs = await this.models.episodes
      .find({ _id: { $in: ids } })
      .lean()
      .exec();
    return new Map(docs.map((doc) => [String(doc._id), toEpisodeRecord(doc)]));
  }

  async episodesOfShows(showIds: readonly string[]): Promise<EpisodeRecord[]> {
    const docs = await this.models.episodes
      .find({ showId: { $in: [...new Set(showIds)] } })
      .sort({ showId: 1, seasonNumber: 1, episodeNumber: 1 })
      .lean()
      .exec();
    return docs.map(toEpisodeRecord);
  }

  private async browsePage(browse: BrowseMatch, sort: ContentSort, size: number, after: string | null): Promise<ContentConnection> {
    const { field, direction } = SORTS[sort];
    const match = mongoMatch(browse);
    type Lean = Parameters<typeof toContentRecord>[0];
    const page = await keysetPage<Lean>({
      filter: match,
      sortField: field,
      order: direction,
      tieOrder: 1,
      valueType: field === 'titleNormalized' ? 'string' : 'number',
      scope: sort,
      find: (filter, order, limit) => this.contents.find(filter).sort(order).limit(limit).lean<Lean[]>().exec(),
      count: () => this.contents.countDocuments(match).exec(),
      valueOf: (doc) => doc[field as keyof Lean] as string | number,
      idOf: (doc) => String(doc._id),
      parseId: objectIdOrNull,
      first: size,
      after,
    });
    return { ...page, edges: page.edges.map((edge) => ({ cursor: edge.cursor, node: toContentRecord(edge.node) })) };
  }
}

function mongoMatch({ kind, genreId, releaseYearFrom, releaseYearTo }: BrowseMatch): QueryFilter<Content> {
  const match: QueryFilter<Content> = { ...IN_CATALOGUE };
  if (kind) match.kind = kind;
  if (genreId !== undefined) match.genreIds = genreId;
  if (releaseYearFrom !== undefined || releaseYearTo !== undefined) {
    match.releaseYear = { ...(releaseYearFrom !== undefined && { $gte: releaseYearFrom }), ...(releaseYearTo !== undefined && { $lte: releaseYearTo }) };
  }
  return match;
}

const contentKey = (id: string) => `content:${id}`;
const idOfKey = (key: string) => key.slice('content:'.length);
