// `node tools/mongo/shard.mjs [--apply]`: shards every subgraph's database on a sharded MongoDB
// cluster from the shard keys its models declare (each model class's static `sharding`). Without
// --apply it prints the commands, one JSON line each ({ db, command }), prefixed by the subgraph,
// and connects to nothing; with it, runs them through the mongos at MONGODB_URL. Each subgraph's
// own `shard` command (src/shard.ts) does the work, on its own default database: MONGODB_DB is
// not passed on, since it names one service's database.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../stack/services.mjs';

const args = process.argv.slice(2).filter((arg) => arg === '--apply');
const { MONGODB_DB: _oneServiceOnly, ...env } = process.env;
const subgraphs = readdirSync(join(ROOT, 'subgraphs'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(ROOT, 'subgraphs', entry.name, 'src/shard.ts')))
  .map((entry) => entry.name)
  .sort();

let failed = false;
for (const name of subgraphs) {
  const dir = join(ROOT, 'subgraphs', name);
  const { scripts = {} } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (!scripts.shard) throw new Error(`subgraphs/${name}: src/shard.ts without a "shard" script`);
  const result = spawnSync(process.execPath, ['-r', '@swc-node/register', 'src/shard.ts', ...args], { cwd: dir, env, encoding: 'utf8' });
  process.stderr.write(result.stderr.replace(/^(?=.)/gm, `${name} `));
  for (const line of result.stdout.split('\n').filter(Boolean)) console.log(`${name} ${line}`);
  if (result.status !== 0) {
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
