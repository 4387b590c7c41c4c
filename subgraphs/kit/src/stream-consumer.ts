import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from './logger';
import { metricsOf, type StreamLag } from './metrics';
import { fieldsOf, FORGET_IDLE_CONSUMERS, idMs, toMap, type AutoClaimReply, type PendingReply, type RawEntry, type ReadReply } from './stream-replies';
import type { StreamConsumerOptions, StreamEntry } from './streams';
import { extendCommandTimeout, type RedisClient } from './redis';

/** How long one XREADGROUP waits for new entries. */
const DEFAULT_BLOCK_MS = 2_000;
/** How often a consumer reads its group's lag for /metrics: two cheap XINFO commands. */
const LAG_SAMPLE_MS = 5_000;

/**
 * Reads a Redis Stream with a consumer group and hands each batch to `handle`; entries are
 * acknowledged only once handled, so a crash or a failed batch is delivered again (handlers
 * must be idempotent). The group is created at the stream's start ("0"), so events published
 * before this consumer first ran are handled too.
 *
 * Nothing is left waiting for a consumer that is gone: at start and then every half
 * `claimIdleMs`, entries pending longer than `claimIdleMs` in the whole group (a killed
 * process's, or this one's own that failed) are claimed with XAUTOCLAIM and handled like new
 * ones. A failed batch is retried entry by entry, so one failing entry delays only itself;
 * past `maxDeliveries` it is given up on (logged at error level, acknowledged, still in the
 * stream for an operator to read with XRANGE).
 *
 * While Redis is unreachable the loop retries every `retryMs` and catches up when it returns:
 * the group remembers what was delivered, and a group lost with Redis's data is created again
 * at "0". What publishers could not add meanwhile is theirs to publish again.
 */
export class StreamConsumer {
  private running = false;
  private loop: Promise<void> | undefined;
  private lastErrorLog = 0;
  private lastFailureLog = 0;
  private lastLag: StreamLag | undefined;
  private nextLagSample = 0;
  private unwatch: (() => void) | undefined;
  /** Ends a gathering pause early when the consumer stops. */
  private readonly stopping = new AbortController();

  constructor(
    /** A connection of its own, without a key prefix: XREADGROUP blocks it. */
    private readonly redis: RedisClient,
    private readonly options: StreamConsumerOptions,
    private readonly handle: (entries: StreamEntry[]) => Promise<void>,
    private readonly logger: Logger,
  ) {
    // XREADGROUP waits up to blockMs for entries by design: on this connection a command's
    // deadline is the block plus the usual timeout, so a stall still ends the wait.
    // On a cluster the client opens a connection per node of its own: the block holds only the
    // stream's node, and only for this consumer.
    extendCommandTimeout(redis, options.blockMs ?? DEFAULT_BLOCK_MS);
  }

  /** This process's name in the group. */
  get name(): string {
    return this.options.settings.name;
  }

  start(): void {
    this.running = true;
    this.unwatch = metricsOf(this.logger).watchStream(this);
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    this.unwatch?.();
    this.redis.disconnect();
    await this.loop;
  }

  /** The group's lag as last sampled (at most LAG_SAMPLE_MS old while Redis answers). */
  lag(): StreamLag | undefined {
    return this.lastLag;
  }

  private async run(): Promise<void> {
    const { stream, group, batch = 100, blockMs = DEFAULT_BLOCK_MS, retryMs = 1_000, gatherMs = 0 } = this.options;
    // Half the idle bound: an abandoned entry is taken up between 1× and 1.5× claimIdleMs.
    const claimEveryMs = Math.max(1, Math.floor(this.options.settings.claimIdleMs / 2));
    let groupReady = false;
    let nextClaim = 0;
    // First this consumer's own unacknowledged entries (left by a crash under the same
    // configured name, or by a lost connection), then new ones.
    let position = '0';
    while (this.running) {
      try {
        if (this.redis.status === 'wait') await this.redis.connect();
        if (!groupReady) groupReady = await this.createGroup();
        if (Date.now() >= nextClaim) {
          await this.claimIdle();
          await this.forgetDeadConsumers();
          nextClaim = Date.now() + claimEveryMs;
        }
        if (Date.now() >= this.nextLagSample) {
          await this.sampleLag();
          this.nextLagSample = Date.now() + LAG_SAMPLE_MS;
        }
        const block = Math.max(1, Math.min(blockMs, nextClaim - Date.now()));
        const reply = (await this.redis.xreadgroup('GROUP', group, this.name, 'COUNT', batch, 'BLOCK', block, 'STREAMS', stream, position)) as ReadReply;
        const entries = reply?.[0]?.[1] ?? [];
        if (position !== '>') {
          // Re-reading its own pending entries: onwards from the last one, since those that fail
          // again stay pending (for a later claim) and would be read back forever.
          if (entries.length === 0) position = '>';
          else {
            position = entries.findLast((entry) => entry !== null)?.[0] ?? '>';
            await this.deliver(entries, { redelivered: true, retryMs });
          }
        } else if (entries.length > 0) {
          await this.deliver(entries, { redelivered: false, retryMs });
          if (gatherMs > 0) await this.pause(gatherMs);
        }
      } catch (err) {
        if (!this.running) break;
        if (String((err as Error).message).includes('NOGROUP')) groupReady = false;
        position = '0';
        const now = Date.now();
        if (now - this.lastErrorLog > 30_000) {
          this.lastErrorLog = now;
          this.logger.warn({ err: { message: (err as Error).message }, stream, group }, this.options.unavailableMessage);
        }
        await sleep(retryMs);
      }
    }
  }

  private async pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.stopping.signal }).catch(() => undefined);
  }

  private async createGroup(): Promise<boolean> {
    try {
      await this.redis.xgroup('CREATE', this.options.stream, this.options.group, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
    return true;
  }

  /** Takes over every entry of the group pending longer than claimIdleMs, a page at a time. */
  private async claimIdle(): Promise<void> {
    const { stream, group, batch = 100, retryMs = 1_000 } = this.options;
    let cursor = '0-0';
    do {
      const [next, claimed, deleted = []] = (await this.redis.xautoclaim(
        stream,
        group,
        this.name,
        this.options.settings.claimIdleMs,
        cursor,
        'COUNT',
        batch,
      )) as AutoClaimReply;
      if (deleted.length > 0) {
        // Trimmed (MAXLEN) or deleted before anyone handled them: Redis has already dropped them from the group.
        this.logger.warn({ stream, group, entryIds: deleted }, 'pending stream entries were deleted from the stream before they were handled: dropped');
      }
      if (claimed.length > 0) {
        this.logger.info({ stream, group, consumer: this.name, claimed: claimed.length }, 'claimed stream entries pending longer than STREAM_CLAIM_IDLE_MS');
        await this.deliver(claimed, { redelivered: true, retryMs });
      }
      cursor = next;
    } while (cursor !== '0-0' && this.running);
  }

  /**
   * Reads the group's standing on this consumer's own connection, between two reads (it is
   * blocked during XREADGROUP), so a scrape never waits for Redis.
   */
  private async sampleLag(): Promise<void> {
    const { stream, group } = this.options;
    const info = fieldsOf(await this.redis.xinfo('STREAM', stream));
    const groups = (await this.redis.xinfo('GROUPS', stream)) as unknown[];
    const mine = groups.map(fieldsOf).find((g) => g.name === group);
    if (!mine) return;
    const lag = mine.lag === null || mine.lag === undefined ? -1 : Number(mine.lag);
    const behindMs = Math.max(0, idMs(info['last-generated-id']) - idMs(mine['last-delivered-id']));
    this.lastLag = { stream, group, pending: Number(mine.pending) || 0, undelivered: lag, behindSeconds: lag === 0 ? 0 : behindMs / 1000 };
  }

  private async forgetDeadConsumers(): Promise<void> {
    const { deadConsumerMs } = this.options.settings;
    if (deadConsumerMs <= 0) return;
    const { stream, group } = this.options;
    const removed = (await this.redis.eval(FORGET_IDLE_CONSUMERS, 1, stream, group, deadConsumerMs, this.name)) as string[];
    if (removed.length > 0)
      this.logger.info({ stream, group, consumers: removed }, 'removed consumers idle longer than STREAM_DEAD_CONSUMER_MS with nothing pending');
  }

  /**
   * Hands entries to the handler and acknowledges them once handled. A batch that fails is
   * retried entry by entry after retryMs; an entry that fails again stays pending and comes
   * back through a claim, until maxDeliveries. Every entry gets its own attempt on every
   * delivery, even while the database is down and each attempt waits for its timeout: the
   * pass is slow then, but no entry is given up on that was not tried on each of its
   * deliveries (or whose process died trying). Errors from Redis itself propagate to the loop.
   */
  private async deliver(raw: RawEntry[], { redelivered, retryMs }: { redelivered: boolean; retryMs: number }): Promise<void> {
    const gone = raw.filter((entry) => entry !== null && entry[1] === null).map((entry) => entry![0]);
    if (gone.length > 0) {
      this.logger.warn(
        { stream: this.options.stream, group: this.options.group, entryIds: gone },
        'pending stream entries were deleted from the stream before they were handled: dropped',
      );
      await this.ack(gone);
    }
    const present = raw.filter((entry): entry is [string, string[]] => entry !== null && entry[1] !== null);
    let entries = present.map(([id, fields]) => ({ id, fields: toMap(fields) }));
    // A first read is delivery 1 by definition; only redeliveries cost a look-up.
    const deliveries = redelivered ? await this.deliveries(entries.map((entry) => entry.id)) : new Map<string, number>();
    const deliveriesOf = (id: string) => deliveries.get(id) ?? 1;
    // Past the bound before even trying: earlier deliveries failed, or killed their process.
    const spent = entries.filter((entry) => deliveriesOf(entry.id) > this.options.settings.maxDeliveries);
    if (spent.length > 0) {
      await this.giveUp(spent, deliveriesOf);
      entries = entries.filter((entry) => !spent.includes(entry));
    }
    if (entries.length === 0) return;

    const failure = await this.attempt(entries);
    if (!failure) return this.ack(entries.map((entry) => entry.id));
    this.logFailure(failure, entries.length);
    if (entries.length > 1) {
      await sleep(retryMs);
      if (!this.running) return;
    }
    for (const entry of entries) {
      if (!this.running) return;
      const again = entries.length > 1 ? await this.attempt([entry]) : failure;
      if (!again) await this.ack([entry.id]);
      else if (deliveriesOf(entry.id) >= this.options.settings.maxDeliveries) await this.giveUp([entry], deliveriesOf, again);
      else if (entries.length > 1) this.logFailure(again, 1);
    }
  }

  /** The handler's error, if it threw; never a Redis error, which must reach the retry loop. */
  private async attempt(entries: StreamEntry[]): Promise<Error | undefined> {
    try {
      await this.handle(entries);
      return undefined;
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  }

  private async deliveries(ids: string[]): Promise<Map<string, number>> {
    const { stream, group } = this.options;
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.xpending(stream, group, id, id, 1);
    const counts = new Map<string, number>();
    for (const [err, reply] of (await pipeline.exec()) ?? []) {
      if (err) throw err;
      for (const [id, , , delivered] of reply as PendingReply) counts.set(id, delivered);
    }
    return counts;
  }

  private async giveUp(entries: StreamEntry[], deliveriesOf: (id: string) => number, err?: Error): Promise<void> {
    const { stream, group, settings } = this.options;
    for (const entry of entries) {
      // Only the id: fields are the publisher's to define and could hold anything; XRANGE shows them.
      this.logger.error(
        {
          stream,
          group,
          entryId: entry.id,
          deliveries: deliveriesOf(entry.id),
          maxDeliveries: settings.maxDeliveries,
          ...(err ? { err: { message: err.message } } : {}),
        },
        'gave up on a stream entry its handler keeps failing on: acknowledged without being handled',
      );
    }
    await this.ack(entries.map((entry) => entry.id));
  }

  private async ack(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.redis.xack(this.options.stream, this.options.group, ...ids);
  }

  /** At most every 30 s: while the database is down every entry fails, and each would log. */
  private logFailure(err: Error, entries: number): void {
    const now = Date.now();
    if (now - this.lastFailureLog <= 30_000) return;
    this.lastFailureLog = now;
    const { stream, group, settings } = this.options;
    this.logger.warn(
      { err: { message: err.message }, stream, group, entries, claimIdleMs: settings.claimIdleMs, maxDeliveries: settings.maxDeliveries },
      'stream entries failed: retried one by one, and those that fail again are claimed later',
    );
  }
}
