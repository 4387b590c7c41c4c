import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { connectMongo, createLogger, shardingCommands, shardingPlan, shardingProblems, type ShardingPlan } from '@ott/kit';
import { uniqueTag } from '@ott/kit/testing';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SUBGRAPHS, type SubgraphName } from '@ott/gateway/subgraphs';

// Each subgraph's model classes declare how their collections shard (static `sharding`);
// tools/mongo/shard.mjs turns the declarations into commands. Held here: every collection
// declares, every declaration is one MongoDB accepts, the script prints exactly those commands,
// and the writes that must name the shard key on a sharded cluster (upserts) do. What MongoDB
// accepts as a key: subgraphs/kit/test/sharding.test.ts.

const ROOT = resolve(__dirname, '../..');
const source = (name: SubgraphName, module: string) => resolve(ROOT, 'subgraphs', name, 'src', module);

/** Member-scoped collections sharded on something other than the member, each for its reason (in its model). */
const NOT_MEMBER_FIRST = ['ott_streaming.sessions', 'ott_users.refresh_tokens'];

let mongo: Connection;
const plans = new Map<SubgraphName, ShardingPlan>();
const collections = new Map<SubgraphName, string[]>();
beforeAll(async () => {
  mongo = await connectMongo(inject('mongoUrl'), `t_${uniqueTag('sharding')}`, createLogger('sharding-test', 'silent'));
  for (const { name } of SUBGRAPHS) {
    const { MODEL_CLASSES, SHARDING_DEFAULT_DB } = (await import(source(name, 'sharding.ts'))) as {
      MODEL_CLASSES: (new () => unknown)[];
      SHARDING_DEFAULT_DB: string;
    };
    plans.set(name, shardingPlan(SHARDING_DEFAULT_DB, MODEL_CLASSES));
    const { createModels } = (await import(source(name, name === 'catalog' ? 'models.ts' : 'server.ts'))) as {
      createModels: (c: Connection) => Record<string, { collection: { collectionName: string } }>;
    };
    collections.set(name, [...new Set(Object.values(createModels(mongo)).map((model) => model.collection.collectionName))]);
  }
}, 60_000);
afterAll(async () => {
  await mongo?.dropDatabase();
  await mongo?.close();
});

describe('shard keys', () => {
  it('are declared for every collection every subgraph keeps, and are keys MongoDB accepts', () => {
    for (const { name } of SUBGRAPHS) {
      const plan = plans.get(name)!;
      expect(plan.collections.map((c) => c.collection).sort(), name).toEqual(collections.get(name)!.sort());
      expect(shardingProblems(plan), name).toEqual([]);
    }
  });

  it('put the member first on every sharded member-scoped collection but the named exceptions, and leave the catalogue unsharded', () => {
    for (const plan of plans.values()) {
      for (const { collection, sharding, memberScoped } of plan.collections) {
        const namespace = `${plan.db}.${collection}`;
        if (!('key' in sharding) || !memberScoped || NOT_MEMBER_FIRST.includes(namespace)) continue;
        expect(Object.keys(sharding.key)[0], namespace).toBe('userId');
      }
    }
    expect(plans.get('catalog')!.collections.every((c) => 'unsharded' in c.sharding)).toBe(true);
    const sharded = [...plans.values()].flatMap((p) => p.collections.filter((c) => 'key' in c.sharding).map((c) => `${p.db}.${c.collection}`));
    expect(sharded.sort()).toEqual(
      [
        'ott_billing.memberships',
        'ott_mylist.items',
        'ott_ratings.ratings',
        'ott_streaming.progress',
        'ott_streaming.sessions',
        'ott_users.refresh_tokens',
      ].sort(),
    );
  });
});

describe('tools/mongo/shard.mjs', () => {
  it('prints, without --apply, exactly the commands the declarations give, touching no database', () => {
    const result = spawnSync(process.execPath, [resolve(ROOT, 'tools/mongo/shard.mjs')], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, MONGODB_URL: 'mongodb://127.0.0.1:1' },
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
    const expected = SUBGRAPHS.map((s) => s.name)
      .sort()
      .flatMap((name) => shardingCommands(plans.get(name)!).map((command) => `${name} ${JSON.stringify(command)}`));
    expect(result.stdout.split('\n').filter(Boolean)).toEqual(expected);
    expect(expected).toContain('streaming {"db":"admin","command":{"shardCollection":"ott_streaming.progress","key":{"userId":"hashed"}}}');
    expect(result.stderr).toContain('catalog # ott_catalog.contents stays unsharded');
  }, 60_000);

  it('refuses --apply on a server that is not a mongos', () => {
    const result = spawnSync(process.execPath, ['-r', '@swc-node/register', 'src/shard.ts', '--apply'], {
      cwd: resolve(ROOT, 'subgraphs/my-list'),
      env: { PATH: process.env.PATH, HOME: process.env.HOME, MONGODB_URL: inject('mongoUrl'), MONGODB_DB: `t_${uniqueTag('shardapply')}`, LOG_LEVEL: 'silent' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('MONGODB_URL is not a sharded cluster');
  }, 60_000);
});

describe('writes a sharded cluster routes by shard key', () => {
  it('streaming’s progress upserts name the member, its shard key', async () => {
    const { createWatchProgressModel } = await import(source('streaming', 'progress/progress.model.ts'));
    const { ProgressService } = await import(source('streaming', 'progress/progress.service.ts'));
    const upserts: Record<string, unknown>[] = [];
    mongo.set('debug', (collection: string, _method: string, filter: Record<string, unknown>, _update: unknown, options?: { upsert?: boolean }) => {
      if (collection === 'progress' && options?.upsert) upserts.push(filter);
    });
    try {
      const progress = new ProgressService(createWatchProgressModel(mongo));
      const userId = '64b7f0c2a1b2c3d4e5f60718';
      const played = { userId, contentId: '64b7f0c2a1b2c3d4e5f60719', episodeId: null, runtimeSeconds: 6000, finished: false };
      await progress.record({ ...played, positionSeconds: 60, updatedAt: new Date(1_000) });
      await progress.record({ ...played, positionSeconds: 120, updatedAt: new Date(2_000) });
    } finally {
      mongo.set('debug', false);
    }
    expect(upserts).toHaveLength(2);
    const key = plans.get('streaming')!.collections.find((c) => c.collection === 'progress')!.sharding;
    for (const filter of upserts) for (const field of Object.keys('key' in key ? key.key : {})) expect(filter, field).toHaveProperty(field, expect.any(String));
  });
});
