import { badInput, decodeCursor, encodeCursor } from '@ott/kit';
import { isValidObjectId } from 'mongoose';
import type { MyListEntry } from './my-list-item.model';

const CONTENT_ID_MAX = 64;
const CONTROL_CHARS = /\p{Cc}/u;

export function validateContentId(raw: string): string {
  const id = raw.trim();
  if (id.length === 0) throw badInput('contentId', 'must not be empty.');
  if (id.length > CONTENT_ID_MAX || CONTROL_CHARS.test(id)) throw badInput('contentId', 'is not a content id.');
  return id;
}

/** A content id that could never have been stored: membership is false without a lookup. */
export const isStorableContentId = (id: string) => id.length > 0 && id.length <= CONTENT_ID_MAX && !CONTROL_CHARS.test(id);

/** The cursor of an item: its sort key (added at, in ms) and its id, the tie-breaker. */
export const itemCursor = (entry: MyListEntry) => encodeCursor([entry.addedAt.getTime(), entry.id]);

export function decodeItemCursor(after: string): { addedAt: Date; id: string } {
  const [ms, id] = decodeCursor(after, 2);
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || typeof id !== 'string' || !isValidObjectId(id)) {
    throw badInput('after', 'is not a cursor from this list; pass an endCursor you received.');
  }
  return { addedAt: new Date(ms), id };
}
