import type { Request } from 'express';
import { createRequestContext, type Logger, type RequestContext, type TokenConfig } from '@ott/kit';
import type { CatalogueReadModel } from './catalogue/catalogue.read-model';
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

/** A request reads the catalogue as of its start: the copy in memory is checked against the catalogue's version first. */
export function contextFactory(services: CatalogServices, catalogue: CatalogueReadModel, tokens: TokenConfig, logger: Logger) {
  return async (req: Request, requestId: string): Promise<Context> => {
    await catalogue.ensureFresh();
    return {
      ...createRequestContext(req.headers, requestId, tokens, logger),
      ...services,
      loaders: createLoaders(services),
    };
  };
}
