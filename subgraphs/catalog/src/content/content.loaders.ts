import DataLoader from 'dataloader';
import { byIdLoader } from '@ott/kit';
import type { CatalogueReader } from '../catalogue/catalogue.reader';
import type { ContentRecord } from './content.model';
import type { ContentService } from './content.service';

/** Per-request loaders of titles: each batch of keys is one read of the request's catalogue (memory, or one cache read and query), answered in key order. */
export function createContentLoaders(contents: ContentService, catalogue: CatalogueReader) {
  return {
    contentById: byIdLoader<ContentRecord>((ids) => contents.findByIds(catalogue, ids)),
    /** Each title's similar titles, batched per page size asked for. */
    similarIds: new DataLoader<{ item: ContentRecord; first: number | null | undefined }, string[], string>(
      async (keys) => {
        const byFirst = new Map<number | null | undefined, ContentRecord[]>();
        for (const { item, first } of keys) byFirst.set(first, [...(byFirst.get(first) ?? []), item]);
        const answers = new Map(
          await Promise.all([...byFirst].map(async ([first, items]) => [first, await contents.similarIds(catalogue, items, first)] as const)),
        );
        return keys.map(({ item, first }) => answers.get(first)?.get(item.id) ?? []);
      },
      { cacheKeyFn: ({ item, first }) => `${first ?? ''}:${item.id}` },
    ),
  };
}
