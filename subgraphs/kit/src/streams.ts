import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { Logger } from './logger';

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
 * Adds events to a Redis Stream that another subgraph reads with a consumer group. When Redis
 * refuses, the event is lost: the failure is logged and counted, and the caller learns it
 * (false) so it can keep what is needed to publish again.
 */
export class StreamPublisher {
  failures = 0;

  constructor(
    private readonly redis: Redis,
    private readonly options: StreamPublisherOptions,
    private readonly logger: Logger,
  ) {}

  async publish(fields: Record<string, string>): Promise<boolean> {
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
 * StatefulSet's pod name) lets a restarted process take up its own pending entries at once.
 */
export function streamConsumerName(configured?: string): string {
  return configured ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** What every consumer of one process shares; read once from env (`eventStreams` in config.ts). */
export interface StreamConsumerSettings {
  /** This process's name in every group it reads (see `streamConsumerName`). */
  name: string;
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
}

type StreamReply = [stream: string, entries: [id: string, fields: string[]][]][] | null;

/**
 * Reads a Redis Stream with a consumer group and hands each batch to `handle`; entries are
 * acknowledged only once handled, so a crash or a failed batch is delivered again (handlers
 * must be idempotent). The group is created at the stream's start ("0"), so events published
 * before this consumer first ran are handled too.
 */
export class StreamConsumer {
  private running = false;
  private loop: Promise<void> | undefined;
  private lastErrorLog = 0;

  constructor(
    /** A connection of its own, without a key prefix: XREADGROUP blocks it. */
    private readonly redis: Redis,
    private readonly options: StreamConsumerOptions,
    private readonly handle: (entries: StreamEntry[]) => Promise<void>,
    private readonly logger: Logger,
  ) {}

  /** This process's name in the group. */
  get name(): string {
    return this.options.settings.name;
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.redis.disconnect();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { stream, group, batch = 100, blockMs = 2_000, retryMs = 1_000 } = this.options;
    let groupReady = false;
    // First this consumer's own unacknowledged entries (left by a crash under the same
    // configured name, or by a failed batch), then new ones.
    let position = '0';
    while (this.running) {
      try {
        if (this.redis.status === 'wait') await this.redis.connect();
        if (!groupReady) groupReady = await this.createGroup();
        const reply = (await this.redis.xreadgroup('GROUP', group, this.name, 'COUNT', batch, 'BLOCK', blockMs, 'STREAMS', stream, position)) as StreamReply;
        const entries = reply?.[0]?.[1] ?? [];
        if (position === '0' && entries.length === 0) position = '>';
        if (entries.length === 0) continue;
        await this.handle(entries.map(([id, fields]) => ({ id, fields: toMap(fields) })));
        await this.redis.xack(stream, group, ...entries.map(([id]) => id));
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

  private async createGroup(): Promise<boolean> {
    try {
      await this.redis.xgroup('CREATE', this.options.stream, this.options.group, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
    return true;
  }
}

function toMap(fields: string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) values.set(fields[i]!, fields[i + 1]!);
  return values;
}
