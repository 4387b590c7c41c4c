import { Writable } from 'node:stream';
import mongoose, { Types } from 'mongoose';
import { connectRedis, createLogger, createRedis, ensureIndexes, type AuthUser } from '@ott/kit';
import { graphql, testAccessToken, testEnv, uniqueTag } from '@ott/kit/testing';
import { myListConfig } from '../src/config';
import { ContentKind, type MyListItem } from '../src/my-list/my-list-item.model';
import { createServer } from '../src/server';

/** A member with a valid access token, as users would issue it. */
export function member(role: AuthUser['role'] = 'USER') {
  const user = { id: new Types.ObjectId().toHexString(), role };
  return { ...user, token: testAccessToken(user) };
}

/**
 * The my-list subgraph on a free port, built from the same createServer as `start`, but over a
 * connection that reports every database command and a logger whose lines the test can read.
 */
export async function startMyList(overrides: NodeJS.ProcessEnv = {}) {
  const env = testEnv(uniqueTag('mylist'), { LOG_LEVEL: 'warn', ...overrides });
  const config = myListConfig(env);
  const logLines: { level: string; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(JSON.parse(chunk.toString()) as { level: string; msg: string });
      done();
    },
  });
  const logger = createLogger('my-list', config.LOG_LEVEL, sink);
  const mongo = await mongoose
    .createConnection(config.MONGODB_URL, { dbName: config.MONGODB_DB, monitorCommands: true, autoIndex: false, autoCreate: false })
    .asPromise();
  const redis = createRedis('my-list', { url: config.REDIS_URL, keyPrefix: `${config.REDIS_KEY_PREFIX}mylist:` }, logger);
  await connectRedis(redis);
  const server = await createServer({ config, mongo, redis, logger });
  await ensureIndexes([server.models.items]);
  const running = await server.app.listen('127.0.0.1', 0);

  /** Database commands on the items collection, e.g. "find", "aggregate", "insert". */
  const commands: string[] = [];
  mongo.getClient().on('commandStarted', (event) => {
    if (event.command[event.commandName] === 'items') commands.push(event.commandName);
  });

  return {
    url: running.url,
    config,
    redis,
    models: server.models,
    caches: server.caches,
    commands,
    logLines,
    query: <T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}, token?: string) =>
      graphql<T>(running.url, query, variables, { token }),
    /** Stores items directly, oldest first, one millisecond apart unless `sameInstant`. */
    async seed(userId: string, count: number, options: { kind?: (i: number) => MyListItem['kind']; sameInstant?: boolean; prefix?: string } = {}) {
      const start = Date.now() - count - 1_000;
      const docs = Array.from({ length: count }, (_, i) => ({
        userId,
        contentId: `${options.prefix ?? 'c'}${i}`,
        kind: options.kind?.(i) ?? ContentKind.MOVIE,
        addedAt: new Date(options.sameInstant ? start : start + i),
      }));
      await server.models.items.insertMany(docs);
      await server.caches.list.bump(userId);
      return docs.map((d) => d.contentId).reverse();
    },
    async close() {
      await running.close();
      await mongo.close();
      redis.disconnect();
    },
  };
}

export type MyListUnderTest = Awaited<ReturnType<typeof startMyList>>;
