import { connectionType, type Page } from '@ott/kit';
import { WatchProgress, type WatchProgressEntry } from './progress.model';

export const WatchProgressConnection = connectionType('WatchProgress', () => WatchProgress, {
  description: 'What the member watched, most recent first.',
  totalCount: 'Entries in the whole history, on every page.',
});
export type WatchProgressConnection = Page<WatchProgressEntry>;
