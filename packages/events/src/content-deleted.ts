import type { StreamContract } from '@ott/kit';
import { decodeFields, text } from './fields';

/** Catalog removed a title (after marking it removed); consumers forget it. */
export interface ContentDeleted {
  contentId: string;
}

/** catalog → my-list, ratings, streaming (one consumer group each). Entry: `contentId`. */
export const contentDeleted: StreamContract<ContentDeleted> = {
  name: 'content-deleted',
  encode: ({ contentId }) => ({ contentId }),
  decode: (fields) => decodeFields(fields, (f) => ({ contentId: text(f, 'contentId') })),
};
