import type { PageInfo } from './connection';
import { decodeCursor, encodeCursor, pageSize } from './cursor';
import { badInput } from './errors';

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
  totalCount: number;
}

type SortValue = string | number | Date;

export interface KeysetQuery<D> {
  /** The list's own filter (e.g. one member's entries). */
  filter: Record<string, unknown>;
  /** The field the list is sorted by; ties are broken by `_id`. */
  sortField: string;
  /** The field's order: -1 (newest or largest first, the default) or 1. */
  order?: 1 | -1;
  /** The order of `_id` among equal values (the field's order by default). */
  tieOrder?: 1 | -1;
  /** How the sort value travels in a cursor: a date as ms (the default), or a number or string as is. */
  valueType?: 'date' | 'number' | 'string';
  /** Names the list a cursor was made for (e.g. its sort); a cursor of another list is refused. */
  scope?: string;
  /** Runs the query with the given filter, sort and limit, answering plain documents. */
  find: (filter: Record<string, unknown>, sort: Record<string, 1 | -1>, limit: number) => Promise<D[]>;
  /** The whole list's size (the filter without the page's position). */
  count: () => Promise<number>;
  valueOf: (doc: D) => SortValue;
  idOf: (doc: D) => string;
  /** A cursor's id as stored (e.g. an ObjectId); null when it could not be one of ours. */
  parseId: (id: string) => unknown;
  first: number | null | undefined;
  after: string | null | undefined;
  /** The page size when `first` is not given. */
  defaultFirst?: number;
}

const notOurs = () => badInput('after', 'is not a cursor from this list; pass an endCursor you received.');

export interface KeysetCursorFormat {
  scope?: string;
  valueType?: 'date' | 'number' | 'string';
  parseId: (id: string) => unknown;
}

/**
 * The position a keyset cursor holds (the last item's sort value and id), checked as
 * keysetPage checks it; for lists paged outside the database (an in-memory copy) that must
 * accept and refuse the same cursors.
 */
export function decodeKeysetCursor(after: string, format: KeysetCursorFormat): { value: SortValue; id: unknown } {
  const valueType = format.valueType ?? 'date';
  const prefix = format.scope === undefined ? 0 : 1;
  const decoded = decodeCursor(after, prefix + 2);
  if (format.scope !== undefined && decoded[0] !== format.scope) {
    throw badInput('after', `is a cursor of another sort order (${String(decoded[0])}); start again without after.`);
  }
  const [raw, rawId] = decoded.slice(prefix);
  const id = typeof rawId === 'string' ? format.parseId(rawId) : null;
  const valid = valueType === 'string' ? typeof raw === 'string' : typeof raw === 'number' && (valueType === 'number' || Number.isSafeInteger(raw));
  if (!valid || id === null) throw notOurs();
  return { value: valueType === 'date' ? new Date(raw as number) : (raw as string | number), id };
}

/**
 * One page of a connection by keyset: a cursor holds the last item's sort value and id, so
 * pages neither skip nor repeat items while the list changes, and cost the same deep in the
 * list as on its first page (no skip). Cursors are opaque to clients.
 */
export async function keysetPage<D>(query: KeysetQuery<D>): Promise<Page<D>> {
  const size = pageSize(query.first, query.defaultFirst);
  const order = query.order ?? -1;
  const tieOrder = query.tieOrder ?? order;
  const valueType = query.valueType ?? 'date';
  const prefix = query.scope === undefined ? [] : [query.scope];
  let filter = query.filter;
  if (query.after != null) {
    const { value, id } = decodeKeysetCursor(query.after, { scope: query.scope, valueType, parseId: query.parseId });
    const beyond = (direction: 1 | -1) => (direction === 1 ? '$gt' : '$lt');
    const position = { $or: [{ [query.sortField]: { [beyond(order)]: value } }, { [query.sortField]: value, _id: { [beyond(tieOrder)]: id } }] };
    filter = { $and: [query.filter, position] };
  }
  const [found, totalCount] = await Promise.all([query.find(filter, { [query.sortField]: order, _id: tieOrder }, size + 1), query.count()]);
  const edges = found.slice(0, size).map((node) => {
    const value = query.valueOf(node);
    return { cursor: encodeCursor([...prefix, value instanceof Date ? value.getTime() : value, query.idOf(node)]), node };
  });
  return { edges, pageInfo: { hasNextPage: found.length > size, endCursor: edges.at(-1)?.cursor ?? null }, totalCount };
}
