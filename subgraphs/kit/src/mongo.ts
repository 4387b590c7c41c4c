import mongoose from 'mongoose';
import type { Logger } from './logger';
import type { Resources } from './service';

export interface MongoOptions {
  /** Emit the driver's command events, so tests can count the commands a request costs. */
  monitorCommands?: boolean;
}

/** One connection per service to its own database (shared/design.md, "Data ownership"). */
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

export async function pingMongo(connection: mongoose.Connection): Promise<void> {
  const db = connection.db;
  if (!db) throw new Error('mongodb is not connected');
  await db.command({ ping: 1 });
}
