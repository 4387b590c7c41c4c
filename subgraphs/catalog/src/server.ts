import type { Connection } from 'mongoose';
import { contentDeleted } from '@ott/events';
import { createGraphQLApp, pingMongo, StreamPublisher, subgraphAppSettings, type Logger, type RedisClient } from '@ott/kit';
import { catalogCache } from './catalog.cache';
import { CatalogueChanges } from './catalogue/catalogue.changes';
import { CatalogueVersionFeed } from './catalogue/catalogue.feed';
import { DatabaseCatalogueReader } from './catalogue/catalogue.database';
import { CatalogueReadModel } from './catalogue/catalogue.read-model';
import type { CatalogConfig } from './config';
import { ContentService } from './content/content.service';
import { contextFactory } from './context';
import { EpisodeService } from './episode/episode.service';
import { createModels } from './models';
import { buildSchema } from './schema';

export interface CatalogDeps {
  config: CatalogConfig;
  mongo: Connection;
  /** Caches, under this subgraph's key prefix. */
  redis: RedisClient;
  /** Without a key prefix: the content-deleted stream is shared with my-list and ratings. */
  events: RedisClient;
  /**
   * A connection of its own, without a key prefix, to follow catalogue changes (subscribing
   * takes it over); without it every request reads the catalogue's version from the database.
   */
  versionFeed?: RedisClient;
  logger: Logger;
}

/**
 * Schema, services and HTTP app of the catalog subgraph, without listening. Reads go to the
 * database (through Redis) until `catalogue.start()` has loaded the catalogue into memory.
 */
export async function createServer({ config, mongo, redis, events, versionFeed, logger }: CatalogDeps) {
  const models = createModels(mongo);
  const cache = catalogCache(redis, logger, config.CACHE_TTL_SECONDS);
  const feed = new CatalogueVersionFeed(events, config.REDIS_KEY_PREFIX, logger, versionFeed);
  feed.start();
  const catalogue = new CatalogueReadModel({
    connection: mongo,
    models,
    logger,
    database: new DatabaseCatalogueReader(models, cache),
    maxDocuments: config.CATALOG_MEMORY_MAX_DOCUMENTS,
    maxAgeSeconds: config.CACHE_TTL_SECONDS,
    feed,
    changes: new CatalogueChanges({ connection: mongo, cache, feed }),
    checkMs: config.CATALOG_VERSION_CHECK_MS,
  });
  const deletions = new StreamPublisher(
    events,
    contentDeleted,
    {
      stream: config.contentDeletedStream,
      lostMessage: 'could not announce a removed title: my-list keeps it (shown unavailable) until Redis is back and catalog announces it again',
    },
    logger,
  );
  const contents = new ContentService({ models, catalogue, deletions, logger });
  const episodes = new EpisodeService(models.episodes, models.contents, contents, logger);
  const context = contextFactory({ contents, episodes }, catalogue, config.tokens, logger);
  const app = createGraphQLApp({
    name: 'catalog',
    logger,
    ...subgraphAppSettings(config),
    apollo: { schema: await buildSchema() },
    context,
    readiness: { mongodb: () => pingMongo(mongo), redis: () => redis.ping() },
  });
  return { app, models, cache, contents, catalogue, context };
}
