import { GraphQLInt, GraphQLObjectType, GraphQLSchema } from 'graphql';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGraphQLApp, createLogger, currentDatabaseBudget, type DatabaseBudget, type RunningServer, type ServiceRequest } from '../src';
import { testEnv, uniqueTag } from '../src/testing';

// A service as every subgraph runs one (createGraphQLApp with its database budget), whose one
// resolver waits for the test, then reads the database: what becomes of a request whose caller
// closed its connection meanwhile.
let connection: mongoose.Connection;
let server: RunningServer;
let started: () => void;
let proceed: () => void;
let outcome: Promise<string>;
let budget: DatabaseBudget | undefined;
let lastRequest: ServiceRequest | undefined;

beforeAll(async () => {
  const env = testEnv(uniqueTag('abandoned'));
  connection = await mongoose.createConnection(env.MONGODB_URL!, { dbName: env.MONGODB_DB }).asPromise();
  const Item = connection.model('Item', new mongoose.Schema({ n: { type: Number, required: true } }));
  await Item.create({ n: 1 });
  const count = () => {
    budget = currentDatabaseBudget();
    outcome = (async () => {
      started();
      await new Promise<void>((resolve) => (proceed = resolve));
      return Item.countDocuments({})
        .exec()
        .then(
          (n) => `counted ${n}`,
          (error: Error) => error.message,
        );
    })();
    return outcome.then((result) => (result.startsWith('counted') ? 1 : null));
  };
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { count: { type: GraphQLInt, resolve: count } } }),
    mutation: new GraphQLObjectType({ name: 'Mutation', fields: { count: { type: GraphQLInt, resolve: count } } }),
  });
  const app = createGraphQLApp({
    name: 'abandoned-test',
    logger: createLogger('abandoned-test', 'silent'),
    production: false,
    metrics: { host: '127.0.0.1', port: 0 },
    dbConcurrencyPerRequest: 2,
    apollo: { schema },
    context: async (req, requestId) => {
      lastRequest = req;
      return { requestId };
    },
    readiness: {},
  });
  server = await app.listen('127.0.0.1', 0);
});
afterAll(async () => {
  await server?.close();
  await connection?.close();
});

function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (check()) return resolve();
      if (Date.now() > deadline) return reject(new Error('timed out waiting for the service to see its caller go'));
      setTimeout(poll, 10);
    };
    poll();
  });
}

const ask = (signal?: AbortSignal, query = '{ count }') =>
  fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }), signal });

describe('a request whose caller closed its connection', () => {
  it('starts no more database work (the gateway abandoned the call)', async () => {
    const running = new Promise<void>((resolve) => (started = resolve));
    const caller = new AbortController();
    const response = ask(caller.signal).catch(() => undefined);
    await running;
    caller.abort();
    await response;
    await until(() => budget?.stopped !== undefined);
    proceed();
    expect(await outcome).toBe('the caller closed the request: not starting more database work for it');
  });

  it('runs a mutation to its end all the same: its effect stands', async () => {
    const running = new Promise<void>((resolve) => (started = resolve));
    const caller = new AbortController();
    const response = ask(caller.signal, 'mutation { count }').catch(() => undefined);
    await running;
    caller.abort();
    await response;
    await until(() => lastRequest?.callerGone.aborted === true);
    proceed();
    expect(await outcome).toBe('counted 1');
  });

  it('runs to its end while its caller waits', async () => {
    const running = new Promise<void>((resolve) => (started = resolve));
    const response = ask();
    await running;
    proceed();
    expect(await outcome).toBe('counted 1');
    expect(await (await response).json()).toEqual({ data: { count: 1 } });
  });
});
