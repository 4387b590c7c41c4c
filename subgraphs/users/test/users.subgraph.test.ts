import { createHash } from 'node:crypto';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '@ott/kit';
import { errorCodes, graphql, uniqueTag, usersTestEnv, typeDirectives } from '@ott/kit/testing';
import { start } from '../src/index';

const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { accessToken refreshToken user { id } } }`;
const ENTITIES = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { id displayName email } } }`;

let users: Service;
let env: NodeJS.ProcessEnv;
let alice: { accessToken: string; refreshToken: string; user: { id: string } };
let bob: { accessToken: string; refreshToken: string; user: { id: string } };

async function register(name: string) {
  const input = { email: `${name}@example.test`, password: 'a long enough password', displayName: name };
  const response = await graphql<{ register: typeof alice }>(users.url, REGISTER, { input });
  return response.data!.register;
}

beforeAll(async () => {
  env = usersTestEnv(uniqueTag('users_direct'));
  users = await start(env);
  alice = await register('alice');
  bob = await register('bob');
});
afterAll(() => users?.close());

describe('the users subgraph reached directly', () => {
  it('serves its SDL to composition without a token', async () => {
    const response = await graphql<{ _service: { sdl: string } }>(
      users.url,
      `
        {
          _service {
            sdl
          }
        }
      `,
    );
    expect(response.errors).toBeUndefined();
    expect(typeDirectives(response.data!._service.sdl, 'User')).toEqual(['@key(fields: "id")']);
  });

  it('resolves public fields of any user through _entities', async () => {
    const response = await graphql(
      users.url,
      `
        query ($reps: [_Any!]!) {
          _entities(representations: $reps) {
            ... on User {
              id
              displayName
            }
          }
        }
      `,
      {
        reps: [
          { __typename: 'User', id: alice.user.id },
          { __typename: 'User', id: bob.user.id },
        ],
      },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({
      _entities: [
        { id: alice.user.id, displayName: 'alice' },
        { id: bob.user.id, displayName: 'bob' },
      ],
    });
  });

  it('does not reveal another user’s email through _entities, signed out or signed in as someone else', async () => {
    const reps = [{ __typename: 'User', id: alice.user.id }];
    const signedOut = await graphql(users.url, ENTITIES, { reps });
    expect(errorCodes(signedOut)).toEqual(['UNAUTHENTICATED']);
    expect(JSON.stringify(signedOut.data)).not.toContain('alice@example.test');

    const asBob = await graphql(users.url, ENTITIES, { reps }, { token: bob.accessToken });
    expect(errorCodes(asBob)).toEqual(['FORBIDDEN']);
    expect(JSON.stringify(asBob.data)).not.toContain('alice@example.test');

    const asAlice = await graphql<{ _entities: { email: string }[] }>(users.url, ENTITIES, { reps }, { token: alice.accessToken });
    expect(asAlice.errors).toBeUndefined();
    expect(asAlice.data?._entities[0]?.email).toEqual('alice@example.test');
  });

  it('verifies the token itself: a forged one is UNAUTHENTICATED here too', async () => {
    const response = await graphql(
      users.url,
      `
        {
          me {
            id
          }
        }
      `,
      {},
      { token: `${alice.accessToken.slice(0, -4)}AAAA` },
    );
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
  });

  it('stores refresh tokens and passwords only as hashes', async () => {
    const connection = await mongoose.createConnection(env.MONGODB_URL!, { dbName: env.MONGODB_DB }).asPromise();
    try {
      const stored = await connection.db!.collection('refresh_tokens').findOne({ userId: alice.user.id });
      expect(stored?.tokenHash).toEqual(createHash('sha256').update(alice.refreshToken).digest('hex'));
      const dump = JSON.stringify(await connection.db!.collection('refresh_tokens').find().toArray());
      expect(dump).not.toContain(alice.refreshToken);
      const user = await connection.db!.collection('users').findOne({ email: 'alice@example.test' });
      expect(user?.passwordHash).toMatch(/^\$argon2id\$/);
    } finally {
      await connection.close();
    }
  });

  it('starts and signs members in while Redis is unreachable (limits and caches fail open)', async () => {
    const withoutRedis = await start({ ...env, REDIS_URL: 'redis://127.0.0.1:9' });
    try {
      const login = await graphql(
        withoutRedis.url,
        `
          mutation {
            login(email: "alice@example.test", password: "a long enough password") {
              accessToken
            }
          }
        `,
      );
      expect(login.errors).toBeUndefined();
      const ready = await fetch(new URL('/health/ready', withoutRedis.url));
      expect(await ready.json()).toEqual({ status: 'unavailable', checks: { mongodb: 'ok', redis: 'down' } });
    } finally {
      await withoutRedis.close();
    }
  });

  it('refuses to start with an invalid setting and names it', async () => {
    await expect(start({ ...env, PORT: 'eighty' })).rejects.toThrow(/PORT/);
    await expect(start({ ...env, NODE_ENV: 'production', JWT_PRIVATE_KEYS: '' })).rejects.toThrow(/JWT_PRIVATE_KEYS: is required in production/);
  });
});
