import { buildSchema } from '@typegoose/typegoose';
import type { Connection } from 'mongoose';

/**
 * How a collection is spread over a sharded MongoDB cluster, declared on its model class as
 * `static readonly sharding` and applied by `tools/mongo/shard.mjs` (docs/architecture.md,
 * "How each store scales"). A key is ranged (`1`) or hashed on one field (`'hashed'`).
 */
export type ShardKey = Readonly<Record<string, 1 | 'hashed'>>;
export type Sharding = { readonly key: ShardKey; readonly why: string } | { readonly unsharded: string };

/** A model class with its declaration. */
export interface ShardedClass {
  readonly name: string;
  readonly sharding: Sharding;
}

export interface CollectionPlan {
  collection: string;
  sharding: Sharding;
  /** Every index the model declares, as typegoose builds them. */
  indexes: { key: Record<string, unknown>; unique: boolean }[];
  /** Whether documents carry a member id (`userId`, or users' own `_id`). */
  memberScoped: boolean;
}

/** What the script reads of a subgraph: its database (the service's MONGODB_DB default) and every model class it keeps. */
export interface ShardingPlan {
  db: string;
  collections: CollectionPlan[];
}

export function shardingPlan(db: string, classes: readonly (new () => unknown)[]): ShardingPlan {
  return {
    db,
    collections: classes.map((cls) => {
      const declared = (cls as unknown as Partial<ShardedClass>).sharding;
      if (!declared) throw new Error(`${cls.name}: no static sharding declaration`);
      const schema = buildSchema(cls);
      const collection = schema.get('collection');
      if (!collection) throw new Error(`${cls.name}: no collection name in its @modelOptions`);
      return {
        collection,
        sharding: declared,
        indexes: schema.indexes().map(([key, options]) => ({ key: key as Record<string, unknown>, unique: Boolean((options as { unique?: boolean }).unique) })),
        memberScoped: schema.path('userId') !== undefined,
      };
    }),
  };
}

/**
 * What MongoDB requires of a shard key, checked before anything runs: every unique index must
 * start with the shard key's fields (else shardCollection fails), a key with unique indexes
 * beside it must be ranged (MongoDB enforces them only on ranged sharded collections), and a
 * ranged key needs an index it prefixes (a hashed key's index is created by the script).
 */
export function shardingProblems(plan: ShardingPlan): string[] {
  const problems: string[] = [];
  for (const { collection, sharding, indexes } of plan.collections) {
    if (!('key' in sharding)) continue;
    const fields = Object.keys(sharding.key);
    const hashed = Object.values(sharding.key).includes('hashed');
    const startsWithKey = (index: Record<string, unknown>) => fields.every((field, i) => Object.keys(index)[i] === field);
    for (const index of indexes.filter((i) => i.unique)) {
      if (!startsWithKey(index.key))
        problems.push(`${plan.db}.${collection}: unique index ${JSON.stringify(index.key)} does not start with the shard key ${JSON.stringify(sharding.key)}`);
      else if (hashed)
        problems.push(`${plan.db}.${collection}: unique index ${JSON.stringify(index.key)} beside a hashed shard key; MongoDB enforces it on ranged keys only`);
    }
    if (!hashed && !indexes.some((index) => startsWithKey(index.key) && fields.every((f) => index.key[f] === 1))) {
      problems.push(`${plan.db}.${collection}: no index starts with the ranged shard key ${JSON.stringify(sharding.key)}`);
    }
  }
  return problems;
}

export type AdminCommand = Record<string, unknown>;

/**
 * The commands that shard a subgraph's database, in order: enableSharding (a no-op on MongoDB 6
 * and later, kept for 5; none for a database with nothing to shard), then per sharded collection its hashed index when the key is hashed
 * (shardCollection builds it only on an empty collection) and shardCollection. Idempotent.
 */
export function shardingCommands(plan: ShardingPlan): { db: string; command: AdminCommand }[] {
  if (!plan.collections.some(({ sharding }) => 'key' in sharding)) return [];
  const commands: { db: string; command: AdminCommand }[] = [{ db: 'admin', command: { enableSharding: plan.db } }];
  for (const { collection, sharding } of plan.collections) {
    if (!('key' in sharding)) continue;
    if (Object.values(sharding.key).includes('hashed')) {
      const name = Object.entries(sharding.key)
        .map(([field, kind]) => `${field}_${kind}`)
        .join('_');
      commands.push({ db: plan.db, command: { createIndexes: collection, indexes: [{ key: sharding.key, name }] } });
    }
    commands.push({ db: 'admin', command: { shardCollection: `${plan.db}.${collection}`, key: sharding.key } });
  }
  return commands;
}

/** Runs the commands on a mongos; refuses a server that is not one (a replica set, the embedded database). */
export async function applySharding(connection: Connection, plan: ShardingPlan, log: (line: string) => void): Promise<void> {
  const problems = shardingProblems(plan);
  if (problems.length > 0) throw new Error(`the declared shard keys cannot be applied:\n  ${problems.join('\n  ')}`);
  const admin = connection.getClient().db('admin');
  const hello = await admin.command({ hello: 1 });
  if (hello.msg !== 'isdbgrid') throw new Error('MONGODB_URL is not a sharded cluster: shard keys are applied through a mongos');
  for (const { db, command } of shardingCommands(plan)) {
    await connection.getClient().db(db).command(command);
    log(`ok ${db} ${JSON.stringify(command)}`);
  }
}
