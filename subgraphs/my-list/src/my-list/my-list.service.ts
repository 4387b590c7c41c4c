import { appError, isDuplicateKeyError, keysetPage, objectIdOrNull, pageSize, type EntityRef, type Logger, type VersionedCache } from '@ott/kit';
import type { Types } from 'mongoose';
import { ErrorCode } from '../errors';
import { ContentKind, type MyListEntry, type MyListItem, type MyListItemModel } from './my-list-item.model';
import type { MyListConnection } from './my-list.connection';
import type { MyListStats } from './my-list-stats.type';
import { isStorableContentId, validateContentId } from './my-list.validation';

/** Asks catalog whether a title exists (batched and cached by the caller's loader). */
export type ContentLookup = (contentId: string) => Promise<EntityRef | null>;

const KIND_BY_TYPENAME: Record<string, ContentKind> = { Movie: ContentKind.MOVIE, TvShow: ContentKind.TV_SHOW };

type LeanItem = Pick<MyListItem, 'contentId' | 'kind' | 'addedAt'> & { _id: Types.ObjectId };

const toEntry = (item: LeanItem): MyListEntry => ({ id: String(item._id), contentId: item.contentId, kind: item.kind, addedAt: item.addedAt });

/** Dates come back from the cache as ISO strings. */
const revive = (entry: MyListEntry): MyListEntry => ({ ...entry, addedAt: new Date(entry.addedAt) });

/**
 * Rules of the list. Every read goes through the cache scoped to the user; every write bumps
 * that scope's version after the database changed, so the next read is fresh.
 *
 * Counts are computed (one grouped count per user, cached with the pages) rather than kept in
 * a counter document: without transactions a crash between the insert and an `$inc` would
 * leave a counter wrong for good, while a computed count is exact by construction and costs
 * one indexed query per write, not per read.
 */
export class MyListService {
  constructor(
    private readonly items: MyListItemModel,
    private readonly cache: VersionedCache,
    private readonly logger: Logger,
  ) {}

  async add(userId: string, rawContentId: string, lookup: ContentLookup): Promise<MyListEntry> {
    const contentId = validateContentId(rawContentId);
    const content = await lookup(contentId);
    if (!content) {
      throw appError(ErrorCode.CONTENT_NOT_FOUND, `contentId: no title with id "${contentId}" is in the catalogue.`, { field: 'contentId' });
    }
    const kind = KIND_BY_TYPENAME[content.typename];
    if (!kind) {
      this.logger.error({ typename: content.typename }, 'catalog answered a content type my-list cannot count');
      throw appError(ErrorCode.INTERNAL_SERVER_ERROR, 'unknown content type');
    }
    let item: InstanceType<MyListItemModel>;
    try {
      item = await this.items.create({ userId, contentId, kind, addedAt: new Date() });
    } catch (error) {
      if (isDuplicateKeyError(error)) throw appError(ErrorCode.ALREADY_IN_LIST, 'This title is already in your list.', { field: 'contentId' });
      throw error;
    }
    await this.cache.bump(userId);
    return { id: item.id as string, contentId, kind, addedAt: item.addedAt };
  }

  async remove(userId: string, rawContentId: string): Promise<true> {
    const contentId = validateContentId(rawContentId);
    const { deletedCount } = await this.items.deleteOne({ userId, contentId }).exec();
    if (deletedCount === 0) throw appError(ErrorCode.NOT_IN_LIST, 'This title is not in your list.', { field: 'contentId' });
    await this.cache.bump(userId);
    return true;
  }

  async page(userId: string, first: number | null | undefined, after: string | null | undefined): Promise<MyListConnection> {
    const size = pageSize(first);
    const page = await this.cache.getOrLoad(userId, `page:${size}:${after ?? ''}`, () => this.loadPage(userId, size, after));
    return { ...page, edges: page.edges.map((edge) => ({ ...edge, node: revive(edge.node) })) };
  }

  stats(userId: string): Promise<MyListStats> {
    return this.cache.getOrLoad(userId, 'stats', () => this.countByKind(userId));
  }

  /**
   * Drops titles catalog removed from every member's list, then bumps each affected member's
   * cache, so pages and stats are exact again. Idempotent (the content-deleted stream may
   * deliver twice). A crash between the delete and the bumps leaves those members' cached
   * pages showing the title (rendered unavailable) until MYLIST_CACHE_TTL_SECONDS.
   */
  async removeContent(contentIds: readonly string[]): Promise<number> {
    const storable = contentIds.filter(isStorableContentId);
    if (storable.length === 0) return 0;
    const filter = { contentId: { $in: storable } };
    const users = [...new Set((await this.items.find(filter, { userId: 1 }).lean().exec()).map((item) => item.userId))];
    if (users.length === 0) return 0;
    const { deletedCount } = await this.items.deleteMany(filter).exec();
    for (let i = 0; i < users.length; i += BUMP_BATCH) await Promise.all(users.slice(i, i + BUMP_BATCH).map((userId) => this.cache.bump(userId)));
    this.logger.info({ contentIds: storable, items: deletedCount, members: users.length }, 'removed titles dropped from lists');
    return deletedCount;
  }

  /** Membership of many titles in one cache read; misses are answered by one `$in` query. */
  async contains(userId: string, contentIds: readonly string[]): Promise<boolean[]> {
    const storable = contentIds.filter(isStorableContentId);
    const found = await this.cache.getOrLoadMany(userId, storable.map(memberKey), async (missingKeys) => {
      const missing = missingKeys.map((key) => key.slice(MEMBER_PREFIX.length));
      const stored = await this.items
        .find({ userId, contentId: { $in: missing } }, { contentId: 1 })
        .lean()
        .exec();
      const saved = new Set(stored.map((item) => item.contentId));
      return new Map(missing.map((id) => [memberKey(id), saved.has(id)]));
    });
    return contentIds.map((id) => found.get(memberKey(id)) ?? false);
  }

  /** Newest first; the total comes from the cached stats. */
  private async loadPage(userId: string, size: number, after: string | null | undefined): Promise<MyListConnection> {
    const page = await keysetPage<LeanItem>({
      filter: { userId },
      sortField: 'addedAt',
      find: (filter, sort, limit) => this.items.find(filter).sort(sort).limit(limit).lean<LeanItem[]>().exec(),
      count: async () => (await this.stats(userId)).total,
      valueOf: (item) => item.addedAt,
      idOf: (item) => String(item._id),
      parseId: objectIdOrNull,
      first: size,
      after,
    });
    return { ...page, edges: page.edges.map((edge) => ({ cursor: edge.cursor, node: toEntry(edge.node) })) };
  }

  private async countByKind(userId: string): Promise<MyListStats> {
    const groups = await this.items
      .aggregate<{ _id: ContentKind; count: number }>([{ $match: { userId } }, { $group: { _id: '$kind', count: { $sum: 1 } } }])
      .exec();
    const count = (kind: ContentKind) => groups.find((g) => g._id === kind)?.count ?? 0;
    const movies = count(ContentKind.MOVIE);
    const tvShows = count(ContentKind.TV_SHOW);
    return { total: movies + tvShows, movies, tvShows };
  }
}

/** Cache bumps sent together when a removed title leaves many lists. */
const BUMP_BATCH = 500;
const MEMBER_PREFIX = 'in:';
const memberKey = (contentId: string) => `${MEMBER_PREFIX}${contentId}`;
