import type { Logger } from './logger';
import { metricsOf, type CacheSeries } from './metrics';
import { isCluster, REDIS_RETRY_AFTER_MS, type RedisClient } from './redis';

export interface CacheOptions {
  /** Part of every key, after the client's own prefix: e.g. "mylist". */
  namespace: string;
  ttlSeconds: number;
  /** Up to this fraction of the TTL is added at random, so entries do not expire together. */
  jitter?: number;
}

interface Entry<T> {
  e: string;
  v: string;
  d: T;
}

export interface CacheStats {
  hits: number;
  misses: number;
  /** Reads and writes answered without Redis because it failed (fail-open). */
  failures: number;
}

const EPOCH = '__epoch';

/**
 * A scope's keys (its version and entries) share the hash tag `{scope}`, so on a cluster one
 * MGET reads them and scopes (members, typenames) spread over the slots. The epoch, one key for
 * every scope, has a slot of its own there and is read beside them (see `read`).
 */
const tagged = (scope: string) => `{${scope}}`;

/**
 * Read-through cache whose entries are invalidated by bumping a per-scope version, never by
 * scanning keys. A read is one MGET of (epoch, scope version, entry); an entry is valid only
 * if it was written under the current epoch and version, and the version is read *before*
 * loading, so a write that races a load can never leave a stale entry behind.
 *
 * When Redis fails (refuses, or stalls past the command timeout), answers come from the
 * loader (fail-open, logged at most once per interval, counted), and for REDIS_RETRY_AFTER_MS
 * (or until the connection is ready again) Redis is not asked at all, so a stall costs one
 * timeout per second, not one per request. Bumps that fail cannot be replayed, so after an outage the first
 * successful command bumps the epoch and every entry written before it is ignored.
 */
export class VersionedCache {
  readonly stats: CacheStats = { hits: 0, misses: 0, failures: 0 };
  private readonly inflight = new Map<string, Promise<unknown>>();
  private degraded = false;
  /** While degraded, when Redis is next tried. */
  private retryAt = 0;
  private lastFailureLog = 0;
  /** `cache_lookups_total` and `cache_failures_total` under this cache's namespace. */
  private readonly counted: CacheSeries;

  constructor(
    private readonly redis: RedisClient,
    private readonly logger: Logger,
    private readonly options: CacheOptions,
  ) {
    this.counted = metricsOf(logger).cache(options.namespace);
    // Connected again: ask Redis at once (the pause is for a stalled Redis).
    redis.on('ready', () => (this.retryAt = 0));
  }

  private key(...parts: string[]): string {
    return [this.options.namespace, ...parts].join(':');
  }

  private entryKey(scope: string, id: string): string {
    return this.key('entry', tagged(scope), id);
  }

  /**
   * The epoch, the scope's version, then the entries: one MGET on one Redis. On a cluster the
   * epoch lives in another slot, so it is read by a GET sent alongside (no extra round trip;
   * entries are only trusted when both match, whichever order the replies come in).
   */
  private async read(scope: string, entryKeys: string[]): Promise<(string | null)[]> {
    const epochKey = this.key('ver', EPOCH);
    const versionKey = this.key('ver', tagged(scope));
    if (!isCluster(this.redis)) return this.redis.mget(epochKey, versionKey, ...entryKeys);
    const [epoch, scoped] = await Promise.all([this.redis.get(epochKey), this.redis.mget(versionKey, ...entryKeys)]);
    return [epoch, ...scoped];
  }

  /** Loads through the cache; concurrent misses for one key in this process share one load. */
  async getOrLoad<T>(scope: string, id: string, load: () => Promise<T>): Promise<T> {
    const entryKey = this.entryKey(scope, id);
    const pending = this.inflight.get(entryKey);
    if (pending) return pending as Promise<T>;
    const promise = this.readThrough(scope, entryKey, load).finally(() => this.inflight.delete(entryKey));
    this.inflight.set(entryKey, promise);
    return promise;
  }

  /** Reads many entries of one scope in one round trip; misses are loaded together. */
  async getOrLoadMany<T>(scope: string, ids: readonly string[], load: (missing: string[]) => Promise<Map<string, T>>): Promise<Map<string, T>> {
    const keys = ids.map((id) => this.entryKey(scope, id));
    const state = await this.attempt(() => this.read(scope, keys));
    const result = new Map<string, T>();
    const missing: string[] = [];
    const [epoch, version, ...raw] = state ?? [];
    ids.forEach((id, i) => {
      const entry = state ? this.decode<T>(raw[i], epoch, version) : undefined;
      if (entry) result.set(id, entry.d);
      else missing.push(id);
    });
    this.stats.hits += result.size;
    this.stats.misses += missing.length;
    if (result.size > 0) this.counted.hit.inc(result.size);
    if (missing.length > 0) this.counted.miss.inc(missing.length);
    if (missing.length === 0) return result;
    const loaded = await load(missing);
    if (state) {
      const pipeline = this.redis.pipeline();
      for (const id of missing) {
        if (loaded.has(id)) pipeline.set(this.entryKey(scope, id), this.encode(epoch, version, loaded.get(id)), 'EX', this.ttl());
      }
      await this.attempt(() => pipeline.exec());
    }
    for (const [id, value] of loaded) result.set(id, value);
    return result;
  }

  /** Invalidates every entry of a scope (e.g. one user's list) in one command. */
  async bump(scope: string): Promise<void> {
    await this.attempt(() => this.redis.incr(this.key('ver', tagged(scope))));
  }

  private async readThrough<T>(scope: string, entryKey: string, load: () => Promise<T>): Promise<T> {
    const state = await this.attempt(() => this.read(scope, [entryKey]));
    if (state) {
      const [epoch, version, raw] = state;
      const entry = this.decode<T>(raw, epoch, version);
      if (entry) {
        this.stats.hits += 1;
        this.counted.hit.inc();
        return entry.d;
      }
      this.stats.misses += 1;
      this.counted.miss.inc();
      const value = await load();
      await this.attempt(() => this.redis.set(entryKey, this.encode(epoch, version, value), 'EX', this.ttl()));
      return value;
    }
    this.stats.misses += 1;
    this.counted.miss.inc();
    return load();
  }

  private decode<T>(raw: string | null | undefined, epoch: string | null | undefined, version: string | null | undefined): Entry<T> | undefined {
    if (!raw) return undefined;
    try {
      const entry = JSON.parse(raw) as Entry<T>;
      return entry.e === (epoch ?? '0') && entry.v === (version ?? '0') ? entry : undefined;
    } catch {
      return undefined;
    }
  }

  private encode(epoch: string | null | undefined, version: string | null | undefined, value: unknown): string {
    return JSON.stringify({ e: epoch ?? '0', v: version ?? '0', d: value });
  }

  private ttl(): number {
    const jitter = this.options.jitter ?? 0.1;
    return Math.max(1, Math.round(this.options.ttlSeconds * (1 + Math.random() * jitter)));
  }

  /** Runs a Redis command; on failure records it and answers undefined (fail-open). */
  private async attempt<R>(command: () => Promise<R>): Promise<R | undefined> {
    if (this.degraded && Date.now() < this.retryAt) {
      // Redis failed a moment ago (refused or timed out): each request would wait out the
      // command timeout again, so answers come from the database until the next try.
      this.stats.failures += 1;
      this.counted.failure.inc();
      return undefined;
    }
    try {
      if (this.degraded) {
        await this.redis.incr(this.key('ver', EPOCH));
        this.degraded = false;
        this.logger.info({ cache: this.options.namespace }, 'redis is back: cache epoch bumped, older entries ignored');
      }
      return await command();
    } catch (err) {
      this.degraded = true;
      this.retryAt = Date.now() + REDIS_RETRY_AFTER_MS;
      this.stats.failures += 1;
      this.counted.failure.inc();
      const now = Date.now();
      if (now - this.lastFailureLog > 30_000) {
        this.lastFailureLog = now;
        this.logger.warn(
          { cache: this.options.namespace, err: { message: (err as Error).message }, failures: this.stats.failures },
          'cache unavailable: answering from the database',
        );
      }
      return undefined;
    }
  }
}
