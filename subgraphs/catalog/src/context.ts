import { createRequestContext, type Logger, type RequestContext, type TokenConfig, type ServiceRequest } from '@ott/kit';
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

/** What a request reads through: its catalogue, and loaders over it. */
export interface Reading {
  catalogue: CatalogueReader;
  loaders: Loaders;
}

export interface Context extends RequestContext, CatalogServices, Reading {
  /** The reading of the catalogue as it is now (see readOwnWrite). */
  readingNow(): Reading;
}

const readingFrom = (services: CatalogServices, catalogue: CatalogueReader): Reading => ({ catalogue, loaders: createLoaders(services, catalogue) });

/**
 * After a write: the rest of the request (the mutation's answer) reads the catalogue that
 * includes it. It sets the context the resolvers were given: Apollo Server runs each operation
 * on its own copy of the object the context factory returned.
 */
export function readOwnWrite(ctx: Context): void {
  Object.assign(ctx, ctx.readingNow());
}

/**
 * A request reads the catalogue as of its start: the copy in memory is checked against the
 * catalogue's version first, then the request's reader is taken, once. Another request's
 * write landing meanwhile builds a new copy, which the next request reads; a request's own
 * write (a mutation) moves it to the copy that includes it, so its answer shows the write.
 */
export function contextFactory(services: CatalogServices, catalogue: CatalogueReadModel, tokens: TokenConfig, logger: Logger) {
  const readingNow = () => readingFrom(services, catalogue.reader());
  return async (req: ServiceRequest, requestId: string): Promise<Context> => {
    await catalogue.ensureFresh();
    return { ...createRequestContext(req.headers, requestId, tokens, logger), ...services, ...readingNow(), readingNow };
  };
}
