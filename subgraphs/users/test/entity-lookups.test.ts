import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, createLogger, createRedis, EntityClient, VersionedCache, type Service } from '@ott/kit';
import { graphql, testEnv, uniqueTag, usersTestEnv } from '@ott/kit/testing';
import { start as startUsers } from '../src/index';

const logger = createLogger('entity-client-test', 'silent');
let users: Service;
let ids: string[];
const redisEnv = testEnv(uniqueTag('entityclient'));
const redis = createRedis('test', { url: redisEnv.REDIS_URL!, keyPrefix: redisEnv.REDIS_KEY_PREFIX! }, logger);

beforeAll(async () => {
  users = await startUsers(usersTestEnv(uniqueTag('entityclient_users')));
  await connectRedis(redis);
  ids = [];
  for (const name of ['ann', 'ben']) {
    const response = await graphql<{ register: { user: { id: string } } }>(
      users.url,
      `
        mutation ($input: RegisterInput!) {
          register(input: $input) {
            user {
              id
            }
          }
        }
      `,
      { input: { email: `${name}@example.test`, password: 'long enough password', displayName: name } },
    );
    ids.push(response.data!.register.user.id);
  }
});
afterAll(async () => {
  redis.disconnect();
  await users?.close();
});

describe('other subgraphs looking up users through the kit’s EntityClient', () => {
  it('answers which ids exist, with their types, in one call through the owner’s _entities', async () => {
    const client = new EntityClient({ url: users.url, typename: 'User' }, logger);
    const found = await client.lookup([ids[0]!, 'ffffffffffffffffffffffff', ids[1]!], 'req-1');
    expect([...found.values()]).toEqual([
      { id: ids[0], typename: 'User' },
      { id: ids[1], typename: 'User' },
    ]);
  });

  it('batches the lookups of one request through its loader and serves repeats from Redis', async () => {
    const cache = new VersionedCache(redis, logger, { namespace: 'entities', ttlSeconds: 60 });
    const client = new EntityClient({ url: users.url, typename: 'User' }, logger, cache);
    const loader = client.createLoader('req-2');
    const results = await Promise.all([loader.load(ids[0]!), loader.load(ids[1]!), loader.load('unknown')]);
    expect(results.map((r) => r?.id ?? null)).toEqual([ids[0], ids[1], null]);
    expect(cache.stats).toMatchObject({ hits: 0, misses: 3 });

    await client.createLoader('req-3').loadMany([ids[0]!, ids[1]!]);
    expect(cache.stats).toMatchObject({ hits: 2, misses: 3 });
  });

  it('fails closed with INTERNAL_SERVER_ERROR when the owner cannot be reached', async () => {
    const client = new EntityClient({ url: 'http://127.0.0.1:9/graphql', typename: 'User', timeoutMs: 500 }, logger);
    await expect(client.lookup(['x'], 'req-4')).rejects.toMatchObject({ extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });
});
