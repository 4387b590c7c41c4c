import { index, modelOptions, prop } from '@typegoose/typegoose';
import { describe, expect, it } from 'vitest';
import { shardingCommands, shardingPlan, shardingProblems } from '../src/sharding';

describe('shardingProblems', () => {
  it('refuses keys MongoDB would refuse: a unique index the key does not start, a hashed key beside a unique index, a ranged key without its index', () => {
    @modelOptions({ schemaOptions: { collection: 'a' } })
    @index({ userId: 1, contentId: 1 }, { unique: true })
    @index({ email: 1 }, { unique: true })
    class A {
      static readonly sharding = { key: { userId: 1 }, why: 'test' } as const;
      @prop({ type: () => String }) userId!: string;
      @prop({ type: () => String }) contentId!: string;
      @prop({ type: () => String }) email!: string;
    }
    @modelOptions({ schemaOptions: { collection: 'b' } })
    @index({ userId: 1, contentId: 1 }, { unique: true })
    class B {
      static readonly sharding = { key: { userId: 'hashed' }, why: 'test' } as const;
      @prop({ type: () => String }) userId!: string;
      @prop({ type: () => String }) contentId!: string;
    }
    @modelOptions({ schemaOptions: { collection: 'c' } })
    class C {
      static readonly sharding = { key: { userId: 1 }, why: 'test' } as const;
      @prop({ type: () => String }) userId!: string;
    }
    expect(shardingProblems(shardingPlan('t', [A, B, C]))).toEqual([
      't.a: unique index {"email":1} does not start with the shard key {"userId":1}',
      't.b: unique index {"userId":1,"contentId":1} beside a hashed shard key; MongoDB enforces it on ranged keys only',
      't.c: no index starts with the ranged shard key {"userId":1}',
    ]);
  });
});

describe('shardingCommands', () => {
  @modelOptions({ schemaOptions: { collection: 'ranged' } })
  @index({ userId: 1, contentId: 1 }, { unique: true })
  class Ranged {
    static readonly sharding = { key: { userId: 1, contentId: 1 }, why: 'test' } as const;
    @prop({ type: () => String }) userId!: string;
    @prop({ type: () => String }) contentId!: string;
  }
  @modelOptions({ schemaOptions: { collection: 'spread' } })
  class Spread {
    static readonly sharding = { key: { userId: 'hashed' }, why: 'test' } as const;
    @prop({ type: () => String }) userId!: string;
  }
  @modelOptions({ schemaOptions: { collection: 'kept' } })
  class Kept {
    static readonly sharding = { unsharded: 'test' } as const;
    @prop({ type: () => String }) name!: string;
  }

  it('enables sharding, builds a hashed key’s index (shardCollection builds one only on an empty collection) and shards each declared collection', () => {
    expect(shardingCommands(shardingPlan('db', [Ranged, Spread, Kept]))).toEqual([
      { db: 'admin', command: { enableSharding: 'db' } },
      { db: 'admin', command: { shardCollection: 'db.ranged', key: { userId: 1, contentId: 1 } } },
      { db: 'db', command: { createIndexes: 'spread', indexes: [{ key: { userId: 'hashed' }, name: 'userId_hashed' }] } },
      { db: 'admin', command: { shardCollection: 'db.spread', key: { userId: 'hashed' } } },
    ]);
  });

  it('answers nothing for a database with nothing to shard, and refuses a class without a declaration', () => {
    expect(shardingCommands(shardingPlan('db', [Kept]))).toEqual([]);
    class Undeclared {}
    expect(() => shardingPlan('db', [Undeclared])).toThrow('Undeclared: no static sharding declaration');
  });
});
