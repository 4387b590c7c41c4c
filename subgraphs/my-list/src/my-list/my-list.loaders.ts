import DataLoader from 'dataloader';
import type { EntityClient } from '@ott/kit';
import type { MyListService } from './my-list.service';

/** Per-request loaders; `userId` is the caller's, so a batch never mixes two users' lists. */
export function createMyListLoaders(myList: MyListService, catalog: EntityClient, userId: string | undefined, requestId: string) {
  return {
    /** Is this content in the caller's list: one cache read (or one `$in` query) per batch. */
    inMyList: new DataLoader<string, boolean>((contentIds) => (userId ? myList.contains(userId, contentIds) : Promise.resolve(contentIds.map(() => false)))),
    /** Does catalog know this content, and is it a Movie or a TvShow. */
    content: catalog.createLoader(requestId),
  };
}
