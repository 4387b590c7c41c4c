import type { ContentDeleted } from '@ott/events';
import { badInput, keysetPage, notFound, objectIdOrNull, pageSize, type Logger, type StreamPublisher, type VersionedCache } from '@ott/kit';
import { isValidObjectId, Types, type QueryFilter } from 'mongoose';
import { CATALOG_SCOPE } from '../catalog.cache';
import type { CatalogueReadModel } from '../catalogue/catalogue.read-model';
import type { CatalogueChange } from '../catalogue/catalogue.version';
import type { GenreService } from '../genre/genre.service';
import { ContentKind, IN_CATALOGUE, sortKeys, toContentRecord, type Content, type ContentModels, type ContentRecord } from './content.model';
import type { ContentConnection } from './content.connection';
import type { RatingSummaryChange } from './rating-summary.consumer';
import { type ContentSort, type ContentFilter, type MovieInput, type TvShowInput } from './content.inputs';
import { SORTS, type BrowseMatch } from './content.sorts';
import { escapeRegex, normalizeTitle } from './title';
import { optionalInt, validateMovieInput, validateTvShowInput, YEAR_MAX, YEAR_MIN } from './content.validation';

export const SEARCH_QUERY_MAX = 100;
/**
 * `similar` ranks every title sharing a genre, read in one round trip: exact and cheap for a
 * catalogue of thousands (a few hundred kB once per cache lifetime). A catalogue of millions
 * would precompute similarity instead.
 */
const SIMILAR_BATCH_SIZE = 50_000;

export interface BrowseArgs {
  filter?: ContentFilter | null;
  sort: ContentSort;
  first?: number | null;
  after?: string | null;
}

export interface ContentServiceDeps {
  models: ContentModels;
  genres: GenreService;
  cache: VersionedCache;
  /** The catalogue in memory: when it holds the catalogue, reads never query the database. */
  catalogue: CatalogueReadModel;
  /** The content-deleted stream: my-list and ratings clean up their references from it. */
  deletions: StreamPublisher<ContentDeleted>;
  /** Tells every gateway that the public catalogue changed: it drops the answers it kept. */
  logger: Logger;
}

export class ContentService {
  private readonly contents: ContentModels['contents'];

  constructor(private readonly deps: ContentServiceDeps) {
    this.contents = deps.models.contents;
  }

  /**
   * Records by id, from memory, or else read through Redis with the misses of a batch as one
   * `$in` query. Tombstones included: references to removed titles still resolve (check `available`).
   */
  async findByIds(ids: readonly string[]): Promise<Map<string, ContentRecord>> {
    const valid = [...new Set(ids.filter((id) => isValidObjectId(id)))];
    if (valid.length === 0) return new Map();
    const snapshot = this.deps.catalogue.current();
    if (snapshot) return snapshot.contentsByIds(valid);
    const byKey = await this.deps.cache.getOrLoadMany(CATALOG_SCOPE, valid.map(contentKey), async (missing) => {
      const docs = await this.contents.find({ _id: { $in: missing.map(idOfKey) } }).lean().exec();
      return new Map(docs.map((doc) => [contentKey(String(doc._id)), toContentRecord(doc)]));
    });
    return new Map([...byKey.values()].map((record) => [record.id, record]));
  }

  async browse(args: BrowseArgs): Promise<ContentConnection> {
    const size = pageSize(args.first);
    const match = await this.browseMatch(args.filter);
    const snapshot = this.deps.catalogue.current();
    if (snapshot) return snapshot.browse(match, args.sort, size, args.after ?? null);
    if (args.after) return this.browsePage(match, args.sort, size, args.after);
    const filter = args.filter ?? {};
    const key = JSON.stringify(['browse', filter.kind, filter.genreSlug, filter.releaseYearFrom, filter.releaseYearTo, args.sort, size]);
    return this.deps.cache.getOrLoad(CATALOG_SCOPE, key, () => this.browsePage(match, args.sort, size, null));
  }

  /** Prefix matches of the normalised title first, then titles containing the query. */
  async search(query: string, first?: number | null): Promise<ContentRecord[]> {
    if (query.length > SEARCH_QUERY_MAX) throw badInput('query', `must be at most ${SEARCH_QUERY_MAX} characters.`);
    const normalized = normalizeTitle(query);
    if (normalized.length === 0) throw badInput('query', 'must contain at least one letter or digit.');
    const size = pageSize(first);
    const snapshot = this.deps.catalogue.current();
    if (snapshot) return snapshot.search(normalized, size);
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

  featured(first?: number | null): Promise<ContentRecord[]> {
    const size = pageSize(first, 10);
    const snapshot = this.deps.catalogue.current();
    if (snapshot) return Promise.resolve(snapshot.featured(size));
    return this.deps.cache.getOrLoad(CATALOG_SCOPE, `featured:${size}`, async () => {
      const docs = await this.contents.find({ ...IN_CATALOGUE, featured: true }).sort({ popularity: -1, _id: 1 }).limit(size).lean().exec();
      return docs.map(toContentRecord);
    });
  }

  /**
   * For each item, the ids of up to `first` other titles sharing the most genres with it,
   * best rated first. One query serves the misses of a whole batch.
   */
  async similarIds(items: readonly Pick<ContentRecord, 'id' | 'genreIds'>[], first?: number | null): Promise<Map<string, string[]>> {
    const size = pageSize(first, 10);
    const snapshot = this.deps.catalogue.current();
    if (snapshot) return new Map(items.map((item) => [item.id, snapshot.similarIds(item, size)]));
    const keyOf = (id: string) => `similar:${size}:${id}`;
    const byKey = await this.deps.cache.getOrLoadMany(CATALOG_SCOPE, items.map((item) => keyOf(item.id)), async (missing) => {
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
        result.set(keyOf(item.id), ranked.slice(0, size).map((candidate) => candidate.id));
      }
      return result;
    });
    return new Map(items.map((item) => [item.id, byKey.get(keyOf(item.id)) ?? []]));
  }

  async createMovie(input: MovieInput): Promise<ContentRecord> {
    const fields = validateMovieInput(input, await this.deps.genres.ids());
    return this.create(ContentKind.MOVIE, fields);
  }

  async createTvShow(input: TvShowInput): Promise<ContentRecord> {
    const fields = validateTvShowInput(input, await this.deps.genres.ids());
    return this.create(ContentKind.TV_SHOW, fields);
  }

  async setFeatured(id: string, featured: boolean): Promise<ContentRecord> {
    if (!isValidObjectId(id)) throw notFound('content', id);
    const doc = await this.contents.findOneAndUpdate({ _id: id, ...IN_CATALOGUE }, { $set: { featured } }, { returnDocument: 'after' }).lean().exec();
    if (!doc) throw notFound('content', id);
    await this.changed({ contents: [id] });
    return toContentRecord(doc);
  }

  /**
   * Removes a title from the catalogue by marking it (a tombstone, episodes kept), so lists,
   * ratings and history that reference it keep rendering. The conditional update makes a
   * second deletion NOT_FOUND, even when two race. The event then lets my-list and ratings
   * clean up; if it cannot be published, it is announced again once Redis is back (or at start-up).
   */
  async delete(id: string): Promise<boolean> {
    if (!isValidObjectId(id)) throw notFound('content', id);
    const { matchedCount } = await this.contents.updateOne({ _id: id, ...IN_CATALOGUE }, { $set: { deletedAt: new Date() } }).exec();
    if (matchedCount === 0) throw notFound('content', id);
    await this.changed({ contents: [id] });
    this.deps.logger.info({ contentId: id }, 'content deleted');
    await this.announceDeletion(id);
    return true;
  }

  /** Tombstones whose event never reached the stream (Redis down, or a crash in between). */
  async announcePendingDeletions(): Promise<number> {
    const pending = await this.contents.find({ deletedAt: { $ne: null }, deletionAnnounced: { $ne: true } }, { _id: 1 }).lean().exec();
    for (const { _id } of pending) await this.announceDeletion(String(_id));
    return pending.length;
  }

  private async announceDeletion(id: string): Promise<void> {
    if (await this.deps.deletions.publish({ contentId: id })) {
      await this.contents.updateOne({ _id: id }, { $set: { deletionAnnounced: true } }).exec();
    }
  }

  /**
   * Where the ratings subgraph's averages land (RatingSummaryConsumer), so RATING_DESC sorts
   * by what members rated rather than the imported IMDB figure. A change older than the one
   * applied (a lower version) is skipped. A batch bumps the cache once, for the titles it
   * changed. Removed titles are left alone: they are never sorted again.
   */
  async applyRatingSummaries(summaries: readonly RatingSummaryChange[]): Promise<void> {
    const changed: string[] = [];
    for (const { contentId, average, count, version } of summaries.filter((s) => isValidObjectId(s.contentId))) {
      const rating = average === null ? null : Math.round(average * 100) / 100;
      const newer = version === null ? {} : { $or: [{ ratingVersion: { $lt: version } }, { ratingVersion: null }] };
      const { modifiedCount } = await this.contents
        .updateOne({ _id: contentId, ...IN_CATALOGUE, ...newer }, { $set: { rating, ratingCount: count, ratingKey: sortKeys({ rating }).ratingKey, ratingVersion: version } })
        .exec();
      if (modifiedCount > 0) changed.push(contentId);
    }
    if (changed.length > 0) await this.changed({ contents: changed });
  }

  /** After a write of this service's records: announced once, for every cache (CatalogueChanges). */
  async changed(change: CatalogueChange): Promise<void> {
    await this.deps.catalogue.changed(change);
  }

  /** After a change made outside the services (a repair by hand): everything is read again. */
  invalidate(): Promise<void> {
    return this.changed({ all: true });
  }

  private async create(kind: ContentKind, fields: ReturnType<typeof validateTvShowInput> & Partial<ReturnType<typeof validateMovieInput>>) {
    const _id = new Types.ObjectId();
    const model = kind === ContentKind.MOVIE ? this.deps.models.movies : this.deps.models.tvShows;
    const doc = await model.create({
      _id,
      ...fields,
      externalId: `admin:${_id.toHexString()}`,
      titleNormalized: normalizeTitle(fields.title),
      ...sortKeys({ releaseYear: fields.releaseYear, rating: null }),
    });
    await this.changed({ contents: [_id.toHexString()] });
    this.deps.logger.info({ contentId: String(_id), kind }, 'content created');
    return toContentRecord(doc.toObject());
  }

  private async browseMatch(filter: ContentFilter | null | undefined): Promise<BrowseMatch> {
    const match: BrowseMatch = {};
    if (!filter) return match;
    if (filter.kind) match.kind = filter.kind;
    if (filter.genreSlug != null) {
      const genre = await this.deps.genres.bySlug(filter.genreSlug.trim().toLowerCase());
      if (!genre) throw badInput('genreSlug', `no genre with slug "${filter.genreSlug}"; query genres for the slugs.`);
      match.genreId = genre.id;
    }
    const from = optionalInt('releaseYearFrom', filter.releaseYearFrom, YEAR_MIN, YEAR_MAX);
    const to = optionalInt('releaseYearTo', filter.releaseYearTo, YEAR_MIN, YEAR_MAX);
    if (from !== null && to !== null && from > to) throw badInput('releaseYearTo', `must not be before releaseYearFrom (${from}).`);
    if (from !== null) match.releaseYearFrom = from;
    if (to !== null) match.releaseYearTo = to;
    return match;
  }

  /**
   * A page in the sort's order, ties by id ascending. The cursor names its sort, so a cursor
   * of one order cannot continue another.
   */
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
