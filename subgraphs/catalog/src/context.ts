import type { Request } from 'express';
import { createRequestContext, type Logger, type RequestContext, type TokenConfig } from '@ott/kit';
import type { CatalogueReader } from './catalogue/catalogue.reader';
import type { CatalogueReadModel } from './catalogue/catalogue.read-model';
import { createContentLoaders } from './content/content.loaders';
import type { ContentService } from './content/content.service';
import { createEpisodeLoaders } from './episode/episode.loaders';
import type { EpisodeService } from './episode/episode.service';
import { createGenreLoaders } from './genre/genre.loaders';

export interface CatalogServices {
  contents: ContentService;
  episodes: EpisodeService;
}

/** Per-request loaders, from each entity's `*.loaders.ts`, all reading the request's catalogue. */
export function createLoaders(services: CatalogServices, catalogue: CatalogueReader) {
  return { ...createContentLoaders(services.contents, catalogue), ...createGenreLoaders(catalogue), ...createEpisodeLoaders(services.episodes, catalogue) };
}

export type Loaders = ReturnType<typeof createLoaders>;

export interface Context extends RequestContext, CatalogServices {
  /** The catalogue as of the request's start: every read of the request goes through it, and nothing else. */
  catalogue: CatalogueReader;
  loaders: Loaders;
}

/**
 * A request reads the catalogue as of its start: the copy in memory is checked against the
 * catalogue's version first, then the request's reader is taken, once (a write landing while
 * the request runs builds a new copy, which the next request reads).
 */
export function contextFactory(services: CatalogServices, catalogue: CatalogueReadModel, tokens: TokenConfig, logger: Logger) {
  return async (req: Request, requestId: string): Promise<Context> => {
    await catalogue.ensureFresh();
    const reader = catalogue.reader();
    return {
      ...createRequestContext(req.headers, requestId, tokens, logger),
      ...services,
      catalogue: reader,
      loaders: createLoaders(services, reader),
    };
  };
}
