import { badInput } from '@ott/kit';

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
