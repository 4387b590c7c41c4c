import 'reflect-metadata';
import { baseEnv, connectMongo, connectRedis, createLogger, createRedis, ensureIndexes, loadConfig, mongoEnv, redisConnection, redisEnv } from '@ott/kit';
import { catalogCache, catalogKeyPrefix } from '../catalog.cache';
import { CatalogueChanges } from '../catalogue/catalogue.changes';
import { CatalogueVersionFeed } from '../catalogue/catalogue.feed';
import { createModels, indexedModels } from '../models';
import { defaultSeed, importCatalog } from './catalog.import';

/**
 * `pnpm --filter @ott/catalog run seed`: loads the catalogue into MONGODB_URL/MONGODB_DB and
 * announces what it wrote as every catalogue write is (CatalogueChanges): running catalog
 * processes load it again at once and gateways drop the answers they kept. Without Redis the
 * announcement reaches catalog processes through the database within CATALOG_VERSION_CHECK_MS.
 * Safe to run again.
 */
async function main(): Promise<void> {
  const config = loadConfig({ ...mongoEnv('ott_catalog'), ...redisEnv, LOG_LEVEL: baseEnv.LOG_LEVEL }, process.env);
  const logger = createLogger('catalog-import', config.LOG_LEVEL);
  const mongo = await connectMongo(config.MONGODB_URL, config.MONGODB_DB, logger);
  const options = redisConnection(config);
  const cacheRedis = createRedis('catalog-import', { ...options, keyPrefix: catalogKeyPrefix(config.REDIS_KEY_PREFIX) }, logger);
  const events = createRedis('catalog-import-events', { ...options, keyPrefix: '' }, logger);
  try {
    await Promise.all([cacheRedis, events].map((redis) => connectRedis(redis))).catch((err: unknown) =>
      logger.warn({ err: { message: (err as Error).message } }, 'redis unavailable: the import is announced through the database only'),
    );
    const models = createModels(mongo);
    await ensureIndexes(indexedModels(models));
    const changes = new CatalogueChanges({
      connection: mongo,
      cache: catalogCache(cacheRedis, logger, 300), // the TTL is for entries written, and the import writes none
      feed: new CatalogueVersionFeed(events, config.REDIS_KEY_PREFIX, logger),
    });
    const started = Date.now();
    const result = await importCatalog(models, defaultSeed(), (change) => changes.record(change));
    logger.info({ ...result, durationMs: Date.now() - started }, 'catalog import finished');
  } finally {
    cacheRedis.disconnect();
    events.disconnect();
    await mongo.close();
  }
}

main().catch((error: unknown) => {
  console.error(`catalog import failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
