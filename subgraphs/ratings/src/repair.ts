// `pnpm --filter @ott/ratings run repair`: recomputes every title's rating sum and count from
// the ratings and re-publishes them to catalog. Safe beside running services (each title is
// recomputed under its lease). Use it after a crash report, a Redis outage, or a restore.
import 'reflect-metadata';
import { connectMongo, connectRedis, createLogger, createRedis, redisConnection } from '@ott/kit';
import { ratingsConfig } from './config';
import { createServices } from './server';

async function main(): Promise<void> {
  const config = ratingsConfig(process.env);
  const logger = createLogger('ratings-repair', config.LOG_LEVEL);
  const mongo = await connectMongo(config.MONGODB_URL, config.MONGODB_DB, logger);
  const events = createRedis('ratings-repair', { ...redisConnection(config), keyPrefix: '' }, logger);
  try {
    await connectRedis(events);
    const { summaries, locks, publisher } = createServices({ config, mongo, events, logger });
    const report = await summaries.repairAll(locks);
    logger.info({ ...report, publishFailures: publisher.failures }, 'rating summaries repaired and re-published');
  } finally {
    await mongo.close();
    events.disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
