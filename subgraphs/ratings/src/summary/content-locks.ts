import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDuplicateKeyError, rateLimited, type Logger } from '@ott/kit';
import type { RatingSummary, RatingSummaryModel } from './summary.model';

export interface ContentLockOptions {
  /** A holder that has not released after this long is presumed dead. */
  leaseMs: number;
  /** How long a writer waits for the lease before giving up. */
  waitMs: number;
}

/** A title's totals as they stand after a release that changed them. */
export type ReleasedTotals = Pick<RatingSummary, 'sum' | 'count' | 'version'> & { contentId: string };

export interface ContentLockHooks {
  /** Rebuilds a title's totals from its ratings into `lease` (after a takeover or a lost lease). */
  recover(contentId: string, lease: Lease): Promise<unknown>;
  /** Called after each release that changed a title's totals, in the order of their versions. */
  released(totals: ReleasedTotals): Promise<void>;
}

/**
 * What the work done under a title's lease does to its totals: applied by the release, in the
 * same single-document update that frees the lease.
 */
export class Lease {
  readonly delta = { sum: 0, count: 0 };
  totals: { sum: number; count: number } | undefined;

  /** Adds a change (a rating created, replaced or deleted) to the totals. */
  add(sum: number, count: number): void {
    const target = this.totals ?? this.delta;
    target.sum += sum;
    target.count += count;
  }

  /** Replaces the totals with ones recomputed from the ratings (changes added later still count). */
  replace(totals: { sum: number; count: number }): void {
    this.totals = { ...totals };
    this.delta.sum = 0;
    this.delta.count = 0;
  }

  get changed(): boolean {
    return this.totals !== undefined || this.delta.sum !== 0 || this.delta.count !== 0;
  }
}

/**
 * Serialises the writes to one title's ratings and summary, in this process and across
 * processes.
 *
 * Why: a rating change is two writes, the rating and its title's totals. Holding the title's
 * lease across both gives three things a bare `$inc` cannot: totals published to catalog are
 * numbered in the order they were made, a recompute (`recover`, the repair command) can run
 * beside live traffic without overwriting a change, and a writer that dies between the two
 * writes leaves its lease behind as a marker.
 *
 * The lease lives on the title's summary document, so a change costs two writes besides the
 * rating itself: taking the lease (a conditional upsert: atomic on MongoDB, and on the embedded
 * database through its write serializer; a held lease makes it fail with a duplicate key) and
 * the release, which applies the change, counts a version and frees the lease in one update.
 * A lease found expired means its holder died, possibly between the rating write and the
 * release; whoever takes it over first recomputes the title while holding it. A holder that
 * finds its lease taken over when it releases (it was paused past the lease) recomputes too.
 */
export class ContentLocks {
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly summaries: RatingSummaryModel,
    private readonly logger: Logger,
    private readonly options: ContentLockOptions,
    private readonly hooks: ContentLockHooks,
  ) {}

  /** Runs `work` while holding the title's lease; callers of one process queue in memory first. */
  async run<T>(contentId: string, work: (lease: Lease) => Promise<T>): Promise<T> {
    const previous = this.queues.get(contentId) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    const tail = previous.then(() => mine);
    this.queues.set(contentId, tail);
    await previous;
    try {
      return await this.holding(contentId, work);
    } finally {
      done();
      if (this.queues.get(contentId) === tail) this.queues.delete(contentId);
    }
  }

  /** Titles whose lease outlived its holder: their summaries may miss one change. */
  async abandoned(): Promise<string[]> {
    const stale = await this.summaries
      .find({ lockedUntil: { $lt: new Date() } }, { _id: 1 })
      .lean()
      .exec();
    return stale.map((summary) => summary._id);
  }

  private async holding<T>(contentId: string, work: (lease: Lease) => Promise<T>): Promise<T> {
    const { owner, tookOver } = await this.acquire(contentId);
    const lease = new Lease();
    let result: T;
    try {
      if (tookOver) await this.hooks.recover(contentId, lease);
      result = await work(lease);
    } catch (error) {
      // Free the lease with what the work recorded before it failed; if even that fails, it expires.
      await this.release(contentId, owner, lease)
        .then((released) => (released ? undefined : this.recoverLost(contentId)))
        .catch(() => undefined);
      throw error;
    }
    if (!(await this.release(contentId, owner, lease))) await this.recoverLost(contentId);
    return result;
  }

  /** Frees the lease, applying the lease's change; false when another writer had taken it over. */
  private async release(contentId: string, owner: string, lease: Lease): Promise<boolean> {
    const free = { lockedBy: 1, lockedUntil: 1 } as const;
    const update = lease.totals
      ? { $set: lease.totals, $inc: { version: 1 }, $unset: free }
      : lease.changed
        ? { $inc: { sum: lease.delta.sum, count: lease.delta.count, version: 1 }, $unset: free }
        : { $unset: free };
    const after = await this.summaries.findOneAndUpdate({ _id: contentId, lockedBy: owner }, update, { returnDocument: 'after' }).lean().exec();
    if (!after) return false;
    if (lease.changed) await this.hooks.released({ contentId, sum: after.sum, count: after.count, version: after.version });
    return true;
  }

  /** The lease expired under a paused holder and was taken over: its change may be lost, so rebuild. */
  private async recoverLost(contentId: string): Promise<void> {
    this.logger.warn({ contentId }, 'a rating lease was taken over before its holder released it: recomputing the title’s summary');
    await this.holding(contentId, (lease) => this.hooks.recover(contentId, lease));
  }

  private async acquire(contentId: string): Promise<{ owner: string; tookOver: boolean }> {
    const owner = randomUUID();
    const deadline = Date.now() + this.options.waitMs;
    for (let attempt = 0; ; attempt += 1) {
      const lockedUntil = new Date(Date.now() + this.options.leaseMs);
      try {
        // Matches the summary only while no lease is on it; creates it for a title's first rating.
        await this.summaries.findOneAndUpdate({ _id: contentId, lockedBy: null }, { $set: { lockedBy: owner, lockedUntil } }, { upsert: true }).exec();
        return { owner, tookOver: false };
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      const held = await this.summaries.findById(contentId, { lockedBy: 1, lockedUntil: 1 }).lean().exec();
      if (held?.lockedBy && held.lockedUntil && held.lockedUntil.getTime() < Date.now()) {
        // Only the caller whose update replaced the stale lease repairs the title.
        const { modifiedCount } = await this.summaries
          .updateOne({ _id: contentId, lockedBy: held.lockedBy }, { $set: { lockedBy: owner, lockedUntil } })
          .exec();
        if (modifiedCount === 1) {
          this.logger.warn({ contentId }, 'took over an abandoned rating lease: recomputing the title’s summary');
          return { owner, tookOver: true };
        }
        continue;
      }
      if (Date.now() > deadline) {
        throw rateLimited('This title is receiving many ratings at once', 1);
      }
      await sleep(Math.min(5 * 2 ** Math.min(attempt, 5), 100) * (0.5 + Math.random()));
    }
  }
}
