import { badInput } from './errors';

export const MAX_PAGE_SIZE = 100;

/** Validates a connection's `first`: 1..100, so no request can ask for an unbounded page. */
export function pageSize(first: number | null | undefined, fallback = 20, max = MAX_PAGE_SIZE): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 1 || size > max) {
    throw badInput('first', `must be between 1 and ${max}, got ${size}.`);
  }
  return size;
}

/** An opaque keyset cursor: the sort key values of the last item, then its id. */
export function encodeCursor(values: readonly (string | number | null)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number, argument = 'after'): (string | number | null)[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    values = undefined;
  }
  const valid = Array.isArray(values) && values.length === arity && values.every((v) => v === null || typeof v === 'string' || typeof v === 'number');
  if (!valid) throw badInput(argument, 'is not a cursor from this list; pass an endCursor you received.');
  return values as (string | number | null)[];
}
