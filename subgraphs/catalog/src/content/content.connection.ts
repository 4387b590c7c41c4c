import { connectionType, type Page } from '@ott/kit';
import { Content, type ContentRecord } from './content.model';

export const ContentConnection = connectionType('Content', () => Content, {
  totalCount: 'Matches of the filter, on every page.',
  inheritCacheHint: true,
});
export type ContentConnection = Page<ContentRecord>;
