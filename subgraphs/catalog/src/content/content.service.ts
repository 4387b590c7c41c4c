import type { ContentDeleted } from '@ott/events';
import { badInput, notFound, pageSize, type Logger, type StreamPublisher } from '@ott/kit';
import { isValidObjectId, Types } from 'mongoose';
import type { CatalogueReader } from '../catalogue/catalogue.reader';
import type { CatalogueReadModel } from '../catalogue/catalogue.read-model';
import type { CatalogueChange } from '../catalogue/catalogue.version';
import { genreBySlug, genreIds } from '../genre/genre.service';
import { ContentKind, IN_CATALOGUE, sortKeys, toContentRecord, type ContentModels, type ContentRecord } from './content.model';
import type { ContentConnection } from './content.connection';
import type { RatingSummaryChange } from './rating-summary.consumer';
import { type ContentSort, type ContentFilter, type MovieInput, type TvShowInput } from './content.inputs';
import type { BrowseMatch } from './content.sorts';
import { normalizeTitle } from './title';
import { optionalInt, validateMovieInput, validateTvShowInput, YEAR_MAX, YEAR_MIN } from './content.validation';

export const SEARCH_QUERY_MAX = 100;

export interface BrowseArgs {
  filter?: ContentFilter | null;
  sort: ContentSort;
  first?: number | null;
  after?: string | null;
}

export interface ContentServiceDeps {
  models: ContentModels;
  /** Where this service's writes are announced (`changed`), for every copy and cache of the catalogue. */
  catalogue: CatalogueReadModel;
  /** The content-deleted stream: my-list and ratings clean up their references from it. */
  deletions: StreamPublisher<ContentDeleted>;
  logger: Logger;
}

/**
 * The rules of titles: reads check their arguments and go through the request's reader
 * (`ctx.catalogue`, never a copy of its own), writes go to the database and are announced
 * through the read model (`changed`).
 */
export class ContentService {
  private readonly contents: ContentModels['contents'];

  constructor(private readonly deps: ContentServiceDeps) {
    this.contents = deps.models.contents;
  }

  /** Records by id; tombstones included: references to removed titles still resolve (check `available`). */
  async findByIds(catalogue: CatalogueReader, ids: readonly string[]): Promise<Map<string, ContentRecord>> {
    const valid = [...new Set(ids.filter((id) => isValidObjectId(id)))];
    if (valid.length === 0) return new Map();
    return catalogue.contentsByIds(valid);
  }

  async browse(catalogue: CatalogueReader, args: BrowseArgs): Promise<ContentConnection> {
    const size = pageSize(args.first);
    const match = await this.browseMatch(catalogue, args.filter);
    return catalogue.browse(match, args.sort, size, args.after ?? null);
  }

  /** Prefix matches of the normalised title first, then titles containing the query. */
  async search(catalogue: CatalogueReader, query: string, first?: number | null): Promise<ContentRecord[]> {
    if (query.length > SEARCH_QUERY_MAX) throw badInput('query', `must be at most ${SEARCH_QUERY_MAX} characters.`);
    const normalized = normalizeTitle(query);
    if (normalized.length === 0) throw badInput('query', 'must contain at least one letter or digit.');
    return catalogue.search(normalized, pageSize(first));
  }

  async featured(catalogue: CatalogueReader, first?: number | null): Promise<ContentRecord[]> {
    return catalogue.featured(pageSize(first, 10));
  }

  /** For each item, the ids of up to `first` other titles sharing the most genres with it, best rated first. */
  async similarIds(
    catalogue: CatalogueReader,
    items: readonly Pick<ContentRecord, 'id' | 'genreIds'>[],
    first?: number | null,
  ): Promise<Map<string, string[]>> {
    return catalogue.similarIds(items, pageSize(first, 10));
  }

  async createMovie(catalogue: CatalogueReader, input: MovieInput): Promise<ContentRecord> {
    const fields = validateMovieInput(input, await genreIds(catalogue));
    return this.create(ContentKind.MOVIE, fields);
  }

  async createTvShow(catalogue: CatalogueReader, input: TvShowInput): Promise<ContentRecord> {
    const fields = validateTvShowInput(input, await genreIds(catalogue));
    return this.create(ContentKind.TV_SHOW, fields);
  }

  async setFeatured(id: string, featured: boolean): Promise<ContentRecord> {
    if (!isValidObjectId(id)) throw notFound('content', id);
    const doc = await this.contents
      .findOneAndUpdate({ _id: id, ...IN_CATALOGUE }, { $set: { featured } }, { returnDocument: 'after' })
      .lean()
      .exec();
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
    const pending = await this.contents
      .find({ deletedAt: { $ne: null }, deletionAnnounced: { $ne: true } }, { _id: 1 })
      .lean()
      .exec();
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
        .updateOne(
          { _id: contentId, ...IN_CATALOGUE, ...newer },
          { $set: { rating, ratingCount: count, ratingKey: sortKeys({ rating }).ratingKey, ratingVersion: version } },
        )
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

  private async browseMatch(catalogue: CatalogueReader, filter: ContentFilter | null | undefined): Promise<BrowseMatch> {
    const match: BrowseMatch = {};
    if (!filter) return match;
    if (filter.kind) match.kind = filter.kind;
    if (filter.genreSlug != null) {
      const genre = await genreBySlug(catalogue, filter.genreSlug.trim().toLowerCase());
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
}
