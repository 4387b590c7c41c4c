import type { Request } from 'express';
import { createRequestContext, type Logger, type RequestContext, type TokenConfig } from '@ott/kit';
import { createContentLoaders } from './content/content.loaders';
import type { ContentService } from './content/content.service';
import { createEpisodeLoaders } from './episode/episode.loaders';
import type { EpisodeService } from './episode/episode.service';
import { createGenreLoaders } from './genre/genre.loaders';
import type { GenreService } from './genre/genre.service';

export interface CatalogServices {
  contents: ContentService;
  episodes: EpisodeService;
  genres: GenreService;
}

/** Per-request loaders, from each entity's `*.loaders.ts`. */
export function createLoaders(services: CatalogServices) {
  return { ...createContentLoaders(services.contents), ...createGenreLoaders(services.genres), ...createEpisodeLoaders(services.episodes) };
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
