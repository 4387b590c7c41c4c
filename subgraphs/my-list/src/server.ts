import type { Connection } from 'mongoose';
import { createGraphQLApp, EntityClient, pingMongo, subgraphAppSettings, VersionedCache, type Logger, type RedisClient } from '@ott/kit';
import { MyListErrorCode } from './errors';
import type { MyListConfig } from './config';
import { contextFactory } from './context';
import { createMyListItemModel } from './my-list/my-list-item.model';
import { MyListService } from './my-list/my-list.service';
import { buildSchema } from './schema';

export interface MyListDeps {
  config: MyListConfig;
  mongo: Connection;
  redis: RedisClient;
  logger: Logger;
}

export function createModels(mongo: Connection) {
  return { items: createMyListItemModel(mongo) };
}

/** Schema, services and HTTP app of the my-list subgraph, without listening. */
export async function createServer({ config, mongo, redis, logger }: MyListDeps) {
  const models = createModels(mongo);
  const listCache = new VersionedCache(redis, logger, { namespace: 'list', ttlSeconds: config.MYLIST_CACHE_TTL_SECONDS });
  const contentCache = new VersionedCache(redis, logger, { namespace: 'content', ttlSeconds: config.CONTENT_CACHE_TTL_SECONDS });
  // A removed title still resolves (its tombstone) but is not available: adding it is refused.
  const catalog = new EntityClient(
    { url: config.CATALOG_URL, typename: 'Content', availableField: 'available', sharedSecret: config.SUBGRAPH_SHARED_SECRET },
    logger,
    contentCache,
  );
  const myList = new MyListService(models.items, listCache, logger);
  const app = createGraphQLApp({
    name: 'my-list',
    logger,
    ...subgraphAppSettings(config),
    errorCodes: Object.values(MyListErrorCode),
    apollo: { schema: await buildSchema() },
    context: contextFactory({ myList, catalog }, config.tokens, logger),
    readiness: { mongodb: () => pingMongo(mongo), redis: () => redis.ping() },
  });
  return { app, models, myList, catalog, caches: { list: listCache, content: contentCache } };
}
