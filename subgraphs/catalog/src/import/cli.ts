import 'reflect-metadata';
import { baseEnv, connectMongo, createLogger, ensureIndexes, loadConfig, mongoEnv } from '@ott/kit';
import { createModels, indexedModels } from '../models';
import { defaultSeed, importCatalog } from './catalog.import';

/**
 * `pnpm --filter @ott/catalog run seed`: loads the catalogue into MONGODB_URL/MONGODB_DB.
 * Safe to run again; a running catalog serves the changes once its cache entries expire.
 */
async function main(): Promise<void> {
  const config = loadConfig({ ...mongoEnv('ott_catalog'), LOG_LEVEL: baseEnv.LOG_LEVEL }, process.env);
  const logger = createLogger('catalog-import', config.LOG_LEVEL);
  const mongo = await connectMongo(config.MONGODB_URL, config.MONGODB_DB, logger);
  try {
    const models = createModels(mongo);
    await ensureIndexes(indexedModels(models));
    const started = Date.now();
    const result = await importCatalog(models, defaultSeed());
    logger.info({ ...result, durationMs: Date.now() - started }, 'catalog import finished');
  } finally {
    await mongo.close();
  }
}

main().catch((error: unknown) => {
  console.error(`catalog import failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
