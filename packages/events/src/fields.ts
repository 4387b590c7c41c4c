import type { Decoded } from '@ott/kit';

// Readers for a stream entry's fields: every value arrives as a string, or not at all.

type Fields = Readonly<Record<string, string>>;

/** Thrown inside a decode to reject the entry; `decodeFields` turns it into the problem. */
class Malformed extends Error {}

export function text(fields: Fields, name: string): string {
  const value = fields[name];
  if (value === undefined || value.length === 0) throw new Malformed(`${name} is missing`);
  return value;
}

export function integer(fields: Fields, name: string, { min = Number.MIN_SAFE_INTEGER } = {}): number {
  const value = Number(text(fields, name));
  if (!Number.isSafeInteger(value) || value < min) throw new Malformed(`${name} is not a whole number${min === 0 ? ' ≥ 0' : ''}`);
  return value;
}

/** Runs `read` over the fields; a field it finds missing or malformed becomes the problem. */
export function decodeFields<T>(fields: Fields, read: (fields: Fields) => T): Decoded<T> {
  try {
    return { event: read(fields) };
  } catch (err) {
    if (err instanceof Malformed) return { problem: err.message };
    throw err;
  }
}
