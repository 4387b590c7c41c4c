import { connectionType, type Page } from '@ott/kit';
import { MyListItem, type MyListEntry } from './my-list-item.model';

export const MyListConnection = connectionType('MyList', () => MyListItem, {
  description: 'The signed-in user’s list, newest first.',
  totalCount: 'Items in the whole list, on every page.',
});
export type MyListConnection = Page<MyListEntry>;
