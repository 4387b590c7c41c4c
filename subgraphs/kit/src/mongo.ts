import { getDiscriminatorModelForClass, getModelForClass, setGlobalOptions, type ReturnModelType } from '@typegoose/typegoose';
import mongoose from 'mongoose';
import type { Logger } from './logger';
import { installDatabaseBudget } from './database-budget';
import type { Resources } from './service';

// Before any model is compiled: every schema gets the per-request database budget.
installDatabaseBudget();
// typegoose caches a model per class name for the whole process, bound to the first
// connection it was compiled on: a service started again in the same process (a restart in
// a test, a second instance) would silently use a closed or foreign database. Each service
// compiles its models on its own connection instead (mongoose caches them per connection).
setGlobalOptions({ globalOptions: { disableGlobalCaching: true } });

export interface MongoOptions {
  /** Emit the driver's command events, so tests can count the commands a request costs. */
  monitorCommands?: boolean;
}

/** One connection per service to its own database (docs/architecture.md, "Data ownership"). */
export async function connectMongo(url: string, dbName: string, logger: Logger, options: MongoOptions = {}): Promise<mongoose.Connection> {
  const connection = mongoose.createConnection(url, {
    dbName,
    monitorCommands: options.monitorCommands ?? false,
    serverSelectionTimeoutMS: 5_000,
    maxPoolSize: 20,
    // Indexes are created explicitly by ensureIndexes before the service accepts requests.
    autoIndex: false,
    autoCreate: false,
  });
  connection.on('error', (err: unknown) => logger.error({ err }, 'mongodb connection error'));
  try {
    await connection.asPromise();
  } catch (error) {
    await connection.close();
    throw error;
  }
  logger.info({ db: dbName }, 'connected to mongodb');
  return connection;
}

/** The service's database connection, closed with the service. */
export async function openMongo(
  resources: Resources,
  config: { MONGODB_URL: string; MONGODB_DB: string },
  logger: Logger,
  options: MongoOptions = {},
): Promise<mongoose.Connection> {
  const connection = await connectMongo(config.MONGODB_URL, config.MONGODB_DB, logger, options);
  return resources.add(connection, (c) => c.close());
}

/**
 * Builds every declared index before the first request, so uniqueness guarantees hold from
 * the first write (background index builds would leave a window for duplicates).
 */
export async function ensureIndexes(models: readonly Pick<mongoose.Model<unknown>, 'createCollection' | 'createIndexes'>[]): Promise<void> {
  for (const model of models) {
    await model.createCollection().catch((err: unknown) => {
      if ((err as { codeName?: string }).codeName !== 'NamespaceExists') throw err;
    });
    await model.createIndexes();
  }
}

/**
 * FerretDB 1.24 never answers an update command of 100 or more statements (measured: 99
 * answer, 100 hang), so bulk updates go in commands of at most 50.
 */
const BULK_WRITE_BATCH = 50;

/** `bulkWrite` of unordered operations, in commands of at most BULK_WRITE_BATCH. */
export async function bulkWriteInBatches<T>(
  model: Pick<mongoose.Model<T>, 'bulkWrite'>,
  operations: Parameters<mongoose.Model<T>['bulkWrite']>[0],
): Promise<void> {
  for (let start = 0; start < operations.length; start += BULK_WRITE_BATCH) {
    await model.bulkWrite(operations.slice(start, start + BULK_WRITE_BATCH), { ordered: false });
  }
}

export async function pingMongo(connection: mongoose.Connection): Promise<void> {
  const db = connection.db;
  if (!db) throw new Error('mongodb is not connected');
  await db.command({ ping: 1 });
}

type ModelClass = new (...args: never[]) => unknown;

/**
 * The model of a typegoose class on one connection: compiled there once, then reused, since
 * typegoose's process-wide cache is off (above) and mongoose refuses to compile a name twice
 * on one connection.
 */
export function modelOn<C extends ModelClass>(cl: C, connection: mongoose.Connection): ReturnModelType<C> {
  return (connection.models[cl.name] ?? getModelForClass(cl, { existingConnection: connection })) as ReturnModelType<C>;
}

/** A discriminator of a model compiled by `modelOn`, reused the same way. */
export function discriminatorOn<C extends ModelClass>(base: { discriminators?: Record<string, unknown> }, cl: C, value: string): ReturnModelType<C> {
  return (base.discriminators?.[cl.name] ?? getDiscriminatorModelForClass(base as never, cl, value)) as ReturnModelType<C>;
}

/** An id from a client as the ObjectId it names, or null when it could not name one (a keyset cursor's `parseId`). */
export const objectIdOrNull = (id: string): mongoose.Types.ObjectId | null => (/^[a-f0-9]{24}$/i.test(id) ? new mongoose.Types.ObjectId(id) : null);
