import type { Request } from 'express';
import DataLoader from 'dataloader';
import { byIdLoader, createRequestContext, type Logger, type RequestContext, type TokenConfig } from '@ott/kit';
import type { ContentRecord } from './content/content.model';
import type { ContentService } from './content/content.service';
import type { EpisodeRecord } from './episode/episode.model';
import type { EpisodeService } from './episode/episode.service';
import type { GenreRecord, GenreService } from './genre/genre.service';

export interface CatalogServices {
  contents: ContentService;
  episodes: EpisodeService;
  genres: GenreService;
}

/** Per-request loaders: each batch of keys is one query (or one cache read), answered in key order. */
export function createLoaders(services: CatalogServices) {
  return {
    contentById: byIdLoader<ContentRecord>((ids) => services.contents.findByIds(ids)),
    genreById: byIdLoader<GenreRecord>((ids) => services.genres.byIds(ids)),
    episodeById: byIdLoader<EpisodeRecord>((ids) => services.episodes.findByIds(ids)),
    episodesByShowId: new DataLoader<string, EpisodeRecord[]>(async (showIds) => {
      const episodes = await services.episodes.findByShowIds(showIds);
      return showIds.map((showId) => episodes.filter((episode) => episode.showId === showId));
    }),
    similarIds: new DataLoader<{ item: ContentRecord; first: number | null | undefined }, string[], string>(
      async (keys) => {
        const byFirst = new Map<number | null | undefined, ContentRecord[]>();
        for (const { item, first } of keys) byFirst.set(first, [...(byFirst.get(first) ?? []), item]);
        const answers = new Map(
          await Promise.all([...byFirst].map(async ([first, items]) => [first, await services.contents.similarIds(items, first)] as const)),
        );
        return keys.map(({ item, first }) => answers.get(first)?.get(item.id) ?? []);
      },
      { cacheKeyFn: ({ item, first }) => `${first ?? ''}:${item.id}` },
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

export interface Context extends RequestContext, CatalogServices {
  loaders: Loaders;
}

export function contextFactory(services: CatalogServices, tokens: TokenConfig, logger: Logger) {
  return async (req: Request, requestId: string): Promise<Context> => ({
    ...createRequestContext(req.headers, requestId, tokens, logger),
    ...services,
    loaders: createLoaders(services),
  });
}
