import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { member, startMyList, type MyListUnderTest } from './support';

const LIST = `query ($reps: [_Any!]!) {
  _entities(representations: $reps) { ... on User { myList(first: 20) { totalCount edges { node { content { id } } } } myListStats { total } } }
}`;
const IN_LIST = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Content { inMyList } } }`;

let myList: MyListUnderTest;

beforeAll(async () => {
  myList = await startMyList({ CATALOG_URL: 'http://127.0.0.1:9/graphql' });
});
afterAll(() => myList?.close());

async function read(user: { id: string; token: string }) {
  const response = await myList.query<{ _entities: { myList: { totalCount: number; edges: { node: { content: { id: string } } }[] } }[] }>(
    LIST,
    { reps: [{ __typename: 'User', id: user.id }] },
    user.token,
  );
  expect(response.errors).toBeUndefined();
  return response.data!._entities[0]!.myList;
}

/** Database commands on the items collection made while `action` ran. */
async function commandsDuring(action: () => Promise<unknown>) {
  const before = myList.commands.length;
  await action();
  return myList.commands.slice(before);
}

describe('the Redis cache in front of the list', () => {
  it('serves a second read of a page and its counts without a database query', async () => {
    const user = member();
    await myList.seed(user.id, 5);
    expect(await commandsDuring(() => read(user))).toEqual(expect.arrayContaining(['find', 'aggregate']));
    expect(await commandsDuring(() => read(user))).toEqual([]);
  });

  it('makes the read after a write fresh', async () => {
    const user = member();
    const [newest] = await myList.seed(user.id, 3);
    await read(user);
    await myList.query(`mutation ($id: ID!) { removeFromMyList(contentId: $id) }`, { id: newest }, user.token);
    let page: Awaited<ReturnType<typeof read>> | undefined;
    expect(await commandsDuring(async () => (page = await read(user)))).not.toEqual([]);
    expect(page!.totalCount).toBe(2);
    expect(page!.edges.map((e) => e.node.content.id)).not.toContain(newest);
  });

  it('lets concurrent reads of one cold page share a single database read', async () => {
    const user = member();
    await myList.seed(user.id, 4);
    const commands = await commandsDuring(() => Promise.all(Array.from({ length: 10 }, () => read(user))));
    expect(commands.filter((c) => c === 'find')).toEqual(['find']);
  });

  it('answers inMyList for a page of 100 titles with one database query when cold and one Redis read when warm', async () => {
    const user = member();
    await myList.seed(user.id, 30);
    const reps = Array.from({ length: 100 }, (_, i) => ({ __typename: 'Content', id: `c${i}` }));
    const ask = async () => {
      const response = await myList.query<{ _entities: { inMyList: boolean }[] }>(IN_LIST, { reps }, user.token);
      expect(response.errors).toBeUndefined();
      return response.data!._entities.map((c) => c.inMyList);
    };

    let answers: boolean[] = [];
    expect(await commandsDuring(async () => (answers = await ask()))).toEqual(['find']);
    expect(answers.filter(Boolean)).toHaveLength(30);

    const redisCommands = await redisCommandsDuring(async () => {
      expect(await commandsDuring(async () => (answers = await ask()))).toEqual([]);
    });
    expect(answers.filter(Boolean)).toHaveLength(30);
    expect(redisCommands).toEqual(['mget']);
  });
});

/**
 * Commands this subgraph sent to Redis while `action` ran, seen through MONITOR. A marker
 * command sent afterwards on the same connection proves every earlier one was reported.
 */
async function redisCommandsDuring(action: () => Promise<unknown>): Promise<string[]> {
  const prefix = `${myList.config.REDIS_KEY_PREFIX}mylist:`;
  const monitorClient = new Redis(myList.config.REDIS_URL);
  const monitor = await monitorClient.monitor();
  const seen: string[] = [];
  const marker = `${prefix}marker:${Math.random()}`;
  const markerSeen = new Promise<void>((resolve) => {
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args[1] === marker) resolve();
      else if (args.slice(1).some((arg) => arg.startsWith(prefix))) seen.push(args[0]!.toLowerCase());
    });
  });
  try {
    await action();
    await myList.redis.call('exists', marker.slice(prefix.length));
    await markerSeen;
    return seen;
  } finally {
    monitor.disconnect();
    monitorClient.disconnect();
  }
}
