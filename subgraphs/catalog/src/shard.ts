import 'reflect-metadata';
import { runShardingCli } from '@ott/kit';
import { MODEL_CLASSES, SHARDING_DEFAULT_DB } from './sharding';

/**
 * `pnpm --filter @ott/catalog run shard [--apply]` (every subgraph: `node tools/mongo/shard.mjs`):
 * prints, or with --apply runs on a mongos, the commands that shard this subgraph's database.
 */
runShardingCli(SHARDING_DEFAULT_DB, MODEL_CLASSES).catch((error: unknown) => {
  console.error(`catalog sharding failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
