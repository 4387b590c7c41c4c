import DataLoader from 'dataloader';

/**
 * A per-request loader of records by key (their id, by default): every key asked for in one
 * tick goes out as one fetch, and each is answered in key order with its record, or null
 * when there is none. `fetch` answers the records it found, as a list or already keyed.
 */
export function byIdLoader<T>(
  fetch: (keys: readonly string[]) => Promise<readonly T[] | ReadonlyMap<string, T>>,
  keyOf: (record: T) => string = (record) => (record as { id: string }).id,
): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(async (keys) => {
    const fetched = await fetch(keys);
    const found = fetched instanceof Map ? (fetched as ReadonlyMap<string, T>) : new Map((fetched as readonly T[]).map((record) => [keyOf(record), record]));
    return keys.map((key) => found.get(key) ?? null);
  });
}
