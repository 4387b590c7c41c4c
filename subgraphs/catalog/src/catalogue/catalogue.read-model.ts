import type { Logger } from '@ott/kit';
import type { Connection } from 'mongoose';
import { toContentRecord } from '../content/content.model';
import { toEpisodeRecord } from '../episode/episode.model';
import type { CatalogModels } from '../models';
import type { CatalogueChanges } from './catalogue.changes';
import type { CatalogueVersionFeed } from './catalogue.feed';
import type { CatalogueReader } from './catalogue.reader';
import { CatalogueSnapshot } from './catalogue.snapshot';
import { changesBetween, currentVersion, type CatalogueChange } from './catalogue.version';

export interface CatalogueReadModelDeps {
  connection: Connection;
  models: CatalogModels;
  logger: Logger;
  /** Answers while the catalogue is not held in memory (too large, not loaded, or never held). */
  database: CatalogueReader;
  /** Titles, episodes and genres held at most; a larger catalogue is read from the database. 0: never hold it. */
  maxDocuments: number;
  /** A copy older than this is loaded again in the background, in case a change was never announced. */
  maxAgeSeconds: number;
  /** Versions pushed by the writers: while it is live, requests read no version from the database. */
  feed?: CatalogueVersionFeed;
  /** How this process's writes are announced (the database's version, the cache, the event). */
  changes: CatalogueChanges;
  /** Even with the feed live, the version is read from the database at least this often (a writer without Redis). */
  checkMs: number;
}

/** Up to this many changed records are re-read one `_id` lookup each; more, with one `$in` query. */
const LOOKUPS_PER_CHANGE = 10;

interface Loaded {
  snapshot: CatalogueSnapshot | null;
  version: number;
}

/**
 * The catalogue held in this process's memory, so every catalogue read is answered without a
 * database query: on FerretDB only a bare `_id` lookup avoids scanning the collection, and
 * the catalogue (a few thousand titles, a few MB) is small enough to copy whole.
 *
 * Each request first makes sure the copy is current. With the version feed live (Redis
 * pub/sub, `catalogue.feed.ts`) that is a comparison with the newest version heard, plus one
 * read of the version from the database per `checkMs`; without it, every request reads the
 * version (one `_id` read, shared by concurrent requests, `catalogue.version.ts`). When another
 * process announced a write, the changed records are re-read by id before the request reads. A
 * process's own writes are announced, pushed and applied before the write returns. So a read
 * that starts after a write completed sees it, in every process, with or without Redis. The
 * request then takes its reader (`reader()`) and reads only through it.
 */
export class CatalogueReadModel {
  private snapshot: CatalogueSnapshot | null = null;
  private version = 0;
  private loadedAt = 0;
  private enabled = false;
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private reloading: Promise<void> | null = null;
  private pendingLoad: Loaded | null = null;
  private lastFailureLog = 0;
  /** The feed's epoch and the time at the start of the last successful read of the version. */
  private checkedEpoch = -1;
  private checkedAt = 0;

  constructor(private readonly deps: CatalogueReadModelDeps) {}

  /** Loads the whole catalogue; until then (and when it is too large) reads go to the database. */
  async start(): Promise<void> {
    if (this.deps.maxDocuments === 0) {
      this.deps.logger.info('catalogue kept in the database only (CATALOG_MEMORY_MAX_DOCUMENTS=0)');
      return;
    }
    this.enabled = true;
    this.commit(await this.loadAll());
  }

  /** Waits for a background load, so nothing uses the connection after it closes. */
  async stop(): Promise<void> {
    this.enabled = false;
    await Promise.allSettled([this.running, this.queued, this.reloading]);
  }

  /**
   * What a request reads for its whole life, taken once as its context is built (after
   * `ensureFresh`): the copy as of now, which later changes leave alone, or the database.
   */
  reader(): CatalogueReader {
    return this.snapshot ?? this.deps.database;
  }

  /**
   * Brings the copy up to the catalogue's current version. Concurrent callers share checks,
   * but each waits for one that started after it called, so none misses a finished write.
   */
  ensureFresh(): Promise<void> {
    if (!this.enabled || this.vouched()) return Promise.resolve();
    if (this.queued) return this.queued;
    if (!this.running) return this.run();
    this.queued = this.running.then(
      () => this.next(),
      () => this.next(),
    );
    return this.queued;
  }

  /**
   * The feed vouches for the copy: it is live, the version was read from the database since it
   * last (re)subscribed and within checkMs, nothing newer was heard, and no full load waits.
   */
  private vouched(): boolean {
    const { feed, checkMs } = this.deps;
    if (!feed?.live || this.pendingLoad) return false;
    return this.checkedEpoch === feed.epoch && this.version >= feed.heardVersion && Date.now() - this.checkedAt < checkMs;
  }

  /** Announces this process's write (already in the database) to every process, this one first. */
  async changed(change: CatalogueChange): Promise<void> {
    try {
      await this.deps.changes.record(change);
    } catch (err) {
      // Other processes learn of it at their next background load; this one loads again now.
      this.version = -1;
      this.deps.logger.warn(
        { err: { message: (err as Error).message } },
        'could not announce a catalogue change: other processes show it once they next load the catalogue',
      );
    }
    await this.ensureFresh();
  }

  private next(): Promise<void> {
    this.queued = null;
    return this.run();
  }

  private run(): Promise<void> {
    this.running = this.cycle().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async cycle(): Promise<void> {
    if (!this.enabled || !this.snapshot) return;
    let base = this.snapshot;
    let baseVersion = this.version;
    if (this.pendingLoad) {
      const loaded = this.pendingLoad;
      this.pendingLoad = null;
      if (!loaded.snapshot) return this.commit(loaded);
      base = loaded.snapshot;
      baseVersion = loaded.version;
    }
    const epoch = this.deps.feed?.epoch ?? -1;
    const startedAt = Date.now();
    try {
      const version = await currentVersion(this.deps.connection);
      if (version === baseVersion) {
        this.commit({ snapshot: base, version }, base !== this.snapshot);
      } else {
        const changes = baseVersion >= 0 && version > baseVersion ? await changesBetween(this.deps.connection, baseVersion, version) : null;
        if (changes) this.commit({ snapshot: await this.applied(base, changes), version }, base !== this.snapshot);
        else this.commit(await this.loadAll());
      }
      this.checkedEpoch = epoch;
      this.checkedAt = startedAt;
      // Also while changes keep coming: a change never announced is caught only by a full load.
      this.reloadWhenOld();
    } catch (err) {
      const now = Date.now();
      if (now - this.lastFailureLog > 30_000) {
        this.lastFailureLog = now;
        this.deps.logger.warn({ err: { message: (err as Error).message } }, 'could not check the catalogue version: answering from the copy in memory');
      }
    }
  }

  private commit(loaded: Loaded, fullLoad = true): void {
    if (!loaded.snapshot) {
      if (this.enabled) {
        this.deps.logger.warn({ maxDocuments: this.deps.maxDocuments }, 'catalogue larger than CATALOG_MEMORY_MAX_DOCUMENTS: every read goes to the database');
      }
      this.enabled = false;
      this.snapshot = null;
      return;
    }
    this.snapshot = loaded.snapshot;
    this.version = loaded.version;
    if (fullLoad) this.loadedAt = Date.now();
  }

  private reloadWhenOld(): void {
    if (!this.enabled || this.reloading || this.pendingLoad || Date.now() - this.loadedAt < this.deps.maxAgeSeconds * 1000) return;
    this.reloading = this.loadAll()
      .then(
        (loaded) => {
          if (this.enabled) this.pendingLoad = loaded;
        },
        (err: unknown) => {
          this.loadedAt = Date.now();
          this.deps.logger.warn({ err: { message: (err as Error).message } }, 'could not load the catalogue again: keeping the copy in memory');
        },
      )
      .finally(() => {
        this.reloading = null;
      });
  }

  /** The version first, then the records: anything written after the version was read is announced later. */
  private async loadAll(): Promise<Loaded> {
    const started = Date.now();
    const { models, maxDocuments, connection } = this.deps;
    const version = await currentVersion(connection);
    const contents = await models.contents
      .find()
      .limit(maxDocuments + 1)
      .lean()
      .exec();
    const episodes = await models.episodes
      .find()
      .limit(maxDocuments + 1)
      .lean()
      .exec();
    const genres = await models.genres.find().lean().exec();
    if (contents.length + episodes.length + genres.length > maxDocuments) return { snapshot: null, version };
    const snapshot = new CatalogueSnapshot({
      contents: new Map(contents.map((doc) => [String(doc._id), toContentRecord(doc)])),
      episodes: new Map(episodes.map((doc) => [String(doc._id), toEpisodeRecord(doc)])),
      genres: genres.map(({ _id, slug, name }) => ({ id: String(_id), slug, name })),
    });
    this.deps.logger.info(
      { titles: contents.length, episodes: episodes.length, genres: genres.length, version, ms: Date.now() - started },
      'catalogue loaded into memory',
    );
    return { snapshot, version };
  }

  private async applied(base: CatalogueSnapshot, changes: { contents: Set<string>; episodes: Set<string> }): Promise<CatalogueSnapshot | null> {
    const { models, maxDocuments } = this.deps;
    const contents = await byIds(
      [...changes.contents],
      async (ids) =>
        (
          await models.contents
            .find({ _id: { $in: ids } })
            .lean()
            .exec()
        ).map(toContentRecord),
      async (id) => {
        const doc = await models.contents.findById(id).lean().exec();
        return doc && toContentRecord(doc);
      },
    );
    const episodes = await byIds(
      [...changes.episodes],
      async (ids) =>
        (
          await models.episodes
            .find({ _id: { $in: ids } })
            .lean()
            .exec()
        ).map(toEpisodeRecord),
      async (id) => {
        const doc = await models.episodes.findById(id).lean().exec();
        return doc && toEpisodeRecord(doc);
      },
    );
    const next = base.with(contents, episodes);
    return next.size > maxDocuments ? null : next;
  }
}

/** A few records by bare `_id` lookups, one after another (FerretDB serialises them anyway); many by one `$in`. */
async function byIds<T>(ids: string[], many: (ids: string[]) => Promise<T[]>, one: (id: string) => Promise<T | null>): Promise<T[]> {
  if (ids.length > LOOKUPS_PER_CHANGE) return many(ids);
  const found: T[] = [];
  for (const id of ids) {
    const record = await one(id);
    if (record) found.push(record);
  }
  return found;
}
