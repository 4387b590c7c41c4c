import mongoose, { Types } from 'mongoose';
import { expect } from 'vitest';
import { connectRedis, createLogger, createRedis, type Service, type RedisClient } from '@ott/kit';
import { graphql, testAccessToken, testEnv, uniqueTag } from '@ott/kit/testing';
import { catalogConfig } from '../../src/config';
import { defaultSeed, importCatalog } from '../../src/import/catalog.import';
import { start } from '../../src/index';
import { createModels, type CatalogModels } from '../../src/models';

export const NO_REDIS = 'redis://127.0.0.1:1';
/** The reference process scans the collection for every query (seconds per request on a busy machine). */
export const DATABASE_PATH_TIMEOUT = 180_000;
export const admin = testAccessToken({ id: new Types.ObjectId().toHexString(), role: 'ADMIN' });

export const NODE = `id title kind: __typename releaseYear available featured genres { id slug name } ... on Movie { director runtimeMinutes cast } ... on TvShow { seasons { number episodes { id title episodeNumber } } }`;

export async function ask<T = Record<string, unknown>>(service: Service, query: string, variables: Record<string, unknown> = {}, token?: string) {
  const response = await graphql<T>(service.url, query, variables, { token });
  return { data: response.data, errors: response.errors?.map((e) => ({ message: e.message, code: e.extensions?.code, path: e.path })) };
}

/**
 * Three catalog processes over one database: `writer` with Redis (it consumes rating
 * summaries), `reader` without Redis (its only news of others' writes is the database), and
 * `database`, which keeps nothing in memory: the reference every answer is compared with.
 */
export interface CatalogProcesses {
  env: NodeJS.ProcessEnv;
  writer: Service;
  reader: Service;
  database: Service;
  mongo: mongoose.Connection;
  models: CatalogModels;
  /** A Redis client to publish rating summaries on the stream the writer consumes. */
  events: RedisClient;
  /** The same operation from a process answering from memory and from one answering from the database. */
  expectSameAnswers(query: string, variables?: Record<string, unknown>): ReturnType<typeof ask>;
  close(): Promise<void>;
}

/** Starts the three processes on an empty database, then imports the default seed: news to all of them. */
export async function startCatalogProcesses(label: string): Promise<CatalogProcesses> {
  const env = testEnv(uniqueTag(label));
  const config = catalogConfig(env);
  const started: Partial<Pick<CatalogProcesses, 'writer' | 'reader' | 'database' | 'mongo' | 'events'>> = {};
  const close = async () => {
    started.events?.disconnect();
    await Promise.all([started.writer?.close(), started.reader?.close(), started.database?.close()]);
    await started.mongo?.close();
  };
  try {
    const writer = (started.writer = await start(env));
    const reader = (started.reader = await start({ ...env, REDIS_URL: NO_REDIS }));
    const database = (started.database = await start({ ...env, REDIS_URL: NO_REDIS, CATALOG_MEMORY_MAX_DOCUMENTS: '0' }));
    const mongo = (started.mongo = await mongoose
      .createConnection(config.MONGODB_URL, { dbName: config.MONGODB_DB, autoIndex: false, autoCreate: false })
      .asPromise());
    const models = createModels(mongo);
    await importCatalog(models, defaultSeed());
    const events = (started.events = createRedis(
      'catalog-memory-test',
      { url: config.REDIS_URL, keyPrefix: '' },
      createLogger('catalog-memory-test', 'silent'),
    ));
    await connectRedis(events);
    const expectSameAnswers = async (query: string, variables: Record<string, unknown> = {}) => {
      const [fromMemory, fromDatabase] = await Promise.all([ask(reader, query, variables), ask(database, query, variables)]);
      expect(fromMemory).toEqual(fromDatabase);
      return fromMemory;
    };
    return { env, writer, reader, database, mongo, models, events, expectSameAnswers, close };
  } catch (error) {
    await close();
    throw error;
  }
}
