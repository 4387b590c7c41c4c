import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { decodeOrWarn, type StreamContract } from './event-contract';
import type { Logger } from './logger';
import type { RedisClient } from './redis';

/** One stream entry: its id and its fields (Redis stores every value as a string). */
export interface StreamEntry {
  id: string;
  fields: Map<string, string>;
}

export interface StreamPublisherOptions {
  stream: string;
  /** Old entries are trimmed (approximately) beyond this length. */
  maxLength?: number;
  /** Logged when an entry is lost: what lags until it is re-published, and how to repair it. */
  lostMessage: string;
}

/**
 * Adds events to a Redis Stream that another subgraph reads with a consumer group, written by
 * their contract. When Redis refuses, the event is lost: the failure is logged and counted, and
 * the caller learns it (false) so it can keep what is needed to publish again.
 */
export class StreamPublisher<T> {
  failures = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly contract: StreamContract<T>,
    private readonly options: StreamPublisherOptions,
    private readonly logger: Logger,
  ) {}

  async publish(event: T): Promise<boolean> {
    const fields = this.contract.encode(event);
    try {
      await this.redis.xadd(this.options.stream, 'MAXLEN', '~', this.options.maxLength ?? 100_000, '*', ...Object.entries(fields).flat());
      return true;
    } catch (err) {
      this.failures += 1;
      this.logger.warn({ err: { message: (err as Error).message }, stream: this.options.stream, ...fields, failures: this.failures }, this.options.lostMessage);
      return false;
    }
  }
}

/**
 * A consumer name no other live process has: the host name alone is shared by two processes
 * on one machine, and a replaced pod may come back under its predecessor's host name while
 * that one is still draining (or, in a container, with the same pid 1), so the name also
 * carries the pid and a random suffix drawn once per start. A name given by
 * STREAM_CONSUMER_NAME is used as is: a deployment that guarantees unique, stable names (a
 * StatefulSet's pod name) lets a restarted process take up its own pending entries at once,
 * instead of after STREAM_CLAIM_IDLE_MS through a claim.
 */
export function streamConsumerName(configured?: string): string {
  return configured ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** What every consumer of one process shares; read once from env (`streamConsumerSettings` in config.ts). */
export interface StreamConsumerSettings {
  /** This process's name in every group it reads (see `streamConsumerName`). */
  name: string;
  /**
   * Entries pending this long (their consumer died or hangs, or their handler failed) are
   * claimed and handled again. It must exceed the longest a handler runs, or a slow entry is
   * handled twice: handlers are idempotent, so that costs work, not correctness.
   */
  claimIdleMs: number;
  /**
   * Deliveries (first read, re-reads and claims) of one entry after which, if its handler still
   * fails, it is given up on: logged at error level and acknowledged, so one bad entry cannot
   * hold back the rest. With claims every STREAM_CLAIM_IDLE_MS, a handler may fail for about
   * maxDeliveries × claimIdleMs (a database restart, say) before anything is given up.
   */
  maxDeliveries: number;
  /**
   * Other consumers of the group with nothing pending and idle this long are removed, so the
   * names of replaced processes do not pile up in the group; 0 keeps them all.
   */
  deadConsumerMs: number;
}

export interface StreamConsumerOptions {
  stream: string;
  /** One group per consuming subgraph: every group receives every entry once. */
  group: string;
  /** Logged (at most every 30 s) while the stream cannot be read: what lags meanwhile. */
  unavailableMessage: string;
  settings: StreamConsumerSettings;
  batch?: number;
  blockMs?: number;
  retryMs?: number;
  /**
   * After a read that found entries, wait this long before the next one, so what arrives
   * meanwhile is handled as one batch (0: read again at once). The first entry after a quiet
   * spell is still handled at once; under a steady flow a handler whose batch collapses entries
   * (the latest per key wins) then runs at most about once per gatherMs.
   */
  gatherMs?: number;
}

/**
 * A StreamConsumer's handler that decodes each entry by `contract` and hands `handle` the events
 * in stream order. A malformed entry is logged and skipped (acknowledged with its batch): it
 * would fail the same way on every delivery.
 */
export function decodingHandler<T>(
  contract: StreamContract<T>,
  logger: Logger,
  handle: (events: T[]) => Promise<void>,
): (entries: StreamEntry[]) => Promise<void> {
  return (entries) => {
    const events: T[] = [];
    for (const { id, fields } of entries) {
      const event = decodeOrWarn(contract, Object.fromEntries(fields), logger, { entryId: id });
      if (event !== undefined) events.push(event);
    }
    return events.length > 0 ? handle(events) : Promise.resolve();
  };
}

export { StreamConsumer } from './stream-consumer';
