import type { PageInfo } from './connection';
import { decodeCursor, encodeCursor, pageSize } from './cursor';
import { badInput } from './errors';

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
  totalCount: number;
}

export interface NewestFirstQuery<D> {
  /** The list's own filter (e.g. one member's entries). */
  filter: Record<string, unknown>;
  /** The date field the list is sorted by, newest first; ties are broken by `_id`, also descending. */
  dateField: string;
  /** Runs the query with the given filter, sort and limit, answering plain documents. */
  find: (filter: Record<string, unknown>, sort: Record<string, -1>, limit: number) => Promise<D[]>;
  /** Counts the whole list (the filter without the page's position). */
  count: () => Promise<number>;
  dateOf: (doc: D) => Date;
  idOf: (doc: D) => string;
  /** A cursor's id as stored (e.g. an ObjectId); null when it could not be one of ours. */
  parseId: (id: string) => unknown;
  first: number | null | undefined;
  after: string | null | undefined;
}

/**
 * One page of a newest-first connection by keyset (a cursor holds the last item's date and
 * id), so pages neither skip nor repeat items while the list grows, and cost the same deep in
 * the list as on its first page.
 */
export async function newestFirstPage<D>(query: NewestFirstQuery<D>): Promise<Page<D>> {
  const size = pageSize(query.first);
  const filter = { ...query.filter };
  if (query.after != null) {
    const [ms, rawId] = decodeCursor(query.after, 2);
    const id = typeof rawId === 'string' ? query.parseId(rawId) : null;
    if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || id === null) {
      throw badInput('after', 'is not a cursor from this list; pass an endCursor you received.');
    }
    const at = new Date(ms);
    filter.$or = [{ [query.dateField]: { $lt: at } }, { [query.dateField]: at, _id: { $lt: id } }];
  }
  const [found, totalCount] = await Promise.all([query.find(filter, { [query.dateField]: -1, _id: -1 }, size + 1), query.count()]);
  const edges = found.slice(0, size).map((node) => ({ cursor: encodeCursor([query.dateOf(node).getTime(), query.idOf(node)]), node }));
  return { edges, pageInfo: { hasNextPage: found.length > size, endCursor: edges.at(-1)?.cursor ?? null }, totalCount };
}
