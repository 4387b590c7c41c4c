import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateRedis } from '@ott/kit/testing';
import { seedCatalog } from './support/catalog-fixture';
import { eventually } from './support/playback';
import { startStack, type Stack } from './support/stack';

const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }`;
const LOGIN = `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`;
const BROWSE = `{ browse(first: 5) { edges { node { id title } } } }`;
const ADD = `mutation ($id: ID!) { addToMyList(contentId: $id) { id } }`;
const LIST = `{ me { displayName myList(first: 20) { totalCount edges { node { content { id } } } } } }`;

interface Browse {
  browse: { edges: { node: { id: string; title: string } }[] };
}
interface List {
  me: { displayName: string; myList: { totalCount: number; edges: { node: { content: { id: string } } }[] } };
}

/**
 * A paused redis-server (SIGSTOP) keeps its connections open and answers nothing: the shape of
 * a stalled Redis. Every use of Redis must give up after REDIS_COMMAND_TIMEOUT_MS and fail
 * open or closed as docs/architecture.md says, so the graph keeps answering from the database.
 */
describe('a stalled Redis', () => {
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
  let stack: Stack;
  let paused = false;
  const pause = () => {
    process.kill(redis.pid, 'SIGSTOP');
    paused = true;
  };
  const resume = () => {
    if (paused) process.kill(redis.pid, 'SIGCONT');
    paused = false;
  };

  beforeAll(async () => {
    redis = await startPrivateRedis();
    stack = await startStack('redis_stall', ['users', 'catalog', 'my-list'], { REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '300' });
    await seedCatalog(stack.subgraphEnvs.catalog!);
  });
  afterAll(async () => {
    resume();
    await stack?.close();
    await redis?.stop();
  });

  it('does not hold up queries, sign-ins and writes: they are answered from the database, and Redis is used again once it is back', async () => {
    const email = `stall-${randomUUID().slice(0, 8)}@example.test`;
    const password = 'a long enough password';
    const registered = await stack.query<{ register: { accessToken: string } }>(REGISTER, { input: { email, password, displayName: 'Stalled' } });
    expect(registered.errors).toBeUndefined();
    const titles = (await stack.query<Browse>(BROWSE)).data!.browse.edges.map((edge) => edge.node.id);
    expect(titles.length).toBeGreaterThan(1);
    const token = registered.data!.register.accessToken;
    // Warm the caches, so a stall meets entries Redis holds.
    expect((await stack.query<List>(LIST, {}, { token })).errors).toBeUndefined();

    pause();
    try {
      const signedIn = await stack.query<{ login: { accessToken: string } }>(LOGIN, { email, password });
      expect(signedIn.errors).toBeUndefined();
      expect(signedIn.data!.login.accessToken).toEqual(expect.any(String));
      const browsed = await stack.query<Browse>(BROWSE);
      expect(browsed.errors).toBeUndefined();
      expect(browsed.data!.browse.edges.map((edge) => edge.node.id)).toEqual(titles.slice(0, 5));
      const added = await stack.query(ADD, { id: titles[0] }, { token });
      expect(added.errors).toBeUndefined();
      const list = await stack.query<List>(LIST, {}, { token });
      expect(list.errors).toBeUndefined();
      expect(list.data!.me.myList.edges.map((edge) => edge.node.content.id)).toEqual([titles[0]]);
    } finally {
      resume();
    }

    // Back: writes and reads go through Redis again, and nothing written during the stall is lost or stale.
    await eventually(async () => {
      const added = await stack.query(ADD, { id: titles[1] }, { token });
      expect(added.errors).toBeUndefined();
    });
    const list = await stack.query<List>(LIST, {}, { token });
    expect(list.errors).toBeUndefined();
    expect(new Set(list.data!.me.myList.edges.map((edge) => edge.node.content.id))).toEqual(new Set([titles[0], titles[1]]));
    expect(list.data!.me.myList.totalCount).toBe(2);
  });
});
