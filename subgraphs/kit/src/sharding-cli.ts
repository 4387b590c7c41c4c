import { baseEnv, loadConfig, mongoEnv } from './config';
import { createLogger } from './logger';
import { connectMongo } from './mongo';
import { applySharding, shardingCommands, shardingPlan, shardingProblems } from './sharding';

/**
 * A subgraph's `shard` command (`src/shard.ts`; all of them: `node tools/mongo/shard.mjs`).
 * Without `--apply`, prints the commands it would run, one JSON object a line, and touches
 * nothing; with it, runs them on MONGODB_URL, which must be a mongos. The database is the
 * service's own (MONGODB_DB, or the subgraph's default).
 */
export async function runShardingCli(
  defaultDb: string,
  classes: readonly (new () => unknown)[],
  args = process.argv.slice(2),
  env = process.env,
): Promise<void> {
  const apply = args.includes('--apply');
  const config = loadConfig({ ...mongoEnv(defaultDb), LOG_LEVEL: baseEnv.LOG_LEVEL }, env);
  const resolved = shardingPlan(config.MONGODB_DB, classes);
  const problems = shardingProblems(resolved);
  if (problems.length > 0) throw new Error(`the declared shard keys cannot be applied:\n  ${problems.join('\n  ')}`);
  if (!apply) {
    for (const { collection, sharding } of resolved.collections) {
      if ('unsharded' in sharding) process.stderr.write(`# ${resolved.db}.${collection} stays unsharded: ${sharding.unsharded}\n`);
    }
    for (const command of shardingCommands(resolved)) process.stdout.write(`${JSON.stringify(command)}\n`);
    return;
  }
  const logger = createLogger('shard', config.LOG_LEVEL);
  const mongo = await connectMongo(config.MONGODB_URL, config.MONGODB_DB, logger);
  try {
    await applySharding(mongo, resolved, (line) => process.stdout.write(`${line}\n`));
  } finally {
    await mongo.close();
  }
}
