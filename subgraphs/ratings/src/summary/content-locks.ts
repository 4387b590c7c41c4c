import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDuplicateKeyError, rateLimited, type Logger } from '@ott/kit';
import type { RatingLockModel } from './summary.model';

export interface ContentLockOptions {
  /** A holder that has not released after this long is presumed dead. */
  leaseMs: number;
  /** How long a writer waits for the lease before giving up. */
  waitMs: number;
}

/**
 * Serialises the writes to one title's ratings and summary, in this process and across
 * processes.
 *
 * Why: single-document atomicity (MongoDB's, and the embedded database's through its write
 * serializer) keeps each `$inc` exact, but a rating change is two writes: the rating and its
 * title's totals. Holding the title's lease across both gives three things a bare `$inc`
 * cannot: the totals published to catalog arrive in the order they were made, a recompute
 * (`recover`, the repair command) can run beside live traffic without overwriting a change,
 * and a writer that dies between the two writes leaves its lease behind as a marker.
 *
 * The lease is an insert under the unique `_id` (atomic on both databases). A lease found
 * expired means its holder died, possibly between the rating write and the `$inc`; whoever
 * takes it over first calls `recover` for that title (recomputing its summary) while holding it.
 */
export class ContentLocks {
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly locks: RatingLockModel,
    private readonly logger: Logger,
    private readonly options: ContentLockOptions,
    private readonly recover: (contentId: string) => Promise<void>,
  ) {}

  /** Runs `work` while holding the title's lease; callers of one process queue in memory first. */
  async run<T>(contentId: string, work: () => Promise<T>): Promise<T> {
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
    const stale = await this.locks.find({ expiresAt: { $lt: new Date() } }).lean().exec();
    return stale.map((lock) => lock._id);
  }

  private async holding<T>(contentId: string, work: () => Promise<T>): Promise<T> {
    const { owner, tookOver } = await this.acquire(contentId);
    try {
      if (tookOver) await this.recover(contentId);
      return await work();
    } finally {
      await this.locks.deleteOne({ _id: contentId, owner }).exec();
    }
  }

  private async acquire(contentId: string): Promise<{ owner: string; tookOver: boolean }> {
    const owner = randomUUID();
    const deadline = Date.now() + this.options.waitMs;
    let tookOver = false;
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.locks.create({ _id: contentId, owner, expiresAt: new Date(Date.now() + this.options.leaseMs) });
        return { owner, tookOver };
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      const held = await this.locks.findById(contentId).lean().exec();
      if (held && held.expiresAt.getTime() < Date.now()) {
        // Only the caller whose delete removed the stale lease repairs the title.
        const { deletedCount } = await this.locks.deleteOne({ _id: contentId, owner: held.owner }).exec();
        if (deletedCount === 1) {
          this.logger.warn({ contentId }, 'took over an abandoned rating lease: recomputing the title’s summary');
          tookOver = true;
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
