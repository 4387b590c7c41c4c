import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import { createGraphQLApp, pingMongo, VersionedCache, type Logger } from '@ott/kit';
import type { CatalogConfig } from './config';
import { ContentService } from './content/content.service';
import { contextFactory } from './context';
import { EpisodeService } from './episode/episode.service';
import { GenreService } from './genre/genre.service';
import { createModels } from './models';
import { buildSchema } from './schema';

export interface CatalogDeps {
  config: CatalogConfig;
  mongo: Connection;
  redis: Redis;
  logger: Logger;
}

/** Schema, services and HTTP app of the catalog subgraph, without listening. */
export async function createServer({ config, mongo, redis, logger }: CatalogDeps) {
  const models = createModels(mongo);
  const cache = new VersionedCache(redis, logger, { namespace: 'cache', ttlSeconds: config.CACHE_TTL_SECONDS });
  const genres = new GenreService(models.genres, cache);
  const contents = new ContentService({ models, genres, cache, logger });
  const episodes = new EpisodeService(models.episodes, models.contents, contents, logger);
  const app = createGraphQLApp({
    name: 'catalog',
    logger,
    production: config.production,
    apollo: { schema: await buildSchema() },
    context: contextFactory({ contents, episodes, genres }, config.tokens, logger),
    readiness: { mongodb: () => pingMongo(mongo), redis: () => redis.ping() },
  });
  return { app, models, cache, contents };
}

