import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { Logger } from '@ott/kit';
import type { ContentService } from './content.service';

const GROUP = 'catalog';
const BATCH = 100;
const BLOCK_MS = 2_000;
const RETRY_MS = 1_000;

type StreamReply = [stream: string, entries: [id: string, fields: string[]][]][] | null;

/**
 * Applies the ratings subgraph's per-title sums and counts (a Redis Stream) to the rating
 * catalog sorts by, so RATING_DESC follows members' averages. A consumer group keeps the
 * position across restarts and entries are acknowledged only once applied; each carries
 * absolute values, so a redelivery is harmless. Created at the stream's start ("0"), so
 * changes made before catalog first ran are applied too.
 */
export class RatingSummaryConsumer {
  private running = false;
  private loop: Promise<void> | undefined;
  private lastErrorLog = 0;
  private readonly consumer = `${hostname()}`;

  constructor(
    /** A connection of its own: XREADGROUP blocks it. */
    private readonly redis: Redis,
    private readonly stream: string,
    private readonly contents: Pick<ContentService, 'applyRatingSummaries'>,
    private readonly logger: Logger,
  ) {}

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
    let groupReady = false;
    // First this consumer's own unacknowledged entries (left by a crash), then new ones.
    let position = '0';
    while (this.running) {
      try {
        if (this.redis.status === 'wait') await this.redis.connect();
        if (!groupReady) groupReady = await this.createGroup();
        const reply = (await this.redis.xreadgroup(
          'GROUP', GROUP, this.consumer, 'COUNT', BATCH, 'BLOCK', BLOCK_MS, 'STREAMS', this.stream, position,
        )) as StreamReply;
        const entries = reply?.[0]?.[1] ?? [];
        if (position === '0' && entries.length === 0) position = '>';
        if (entries.length > 0) await this.apply(entries);
      } catch (err) {
        if (!this.running) break;
        if (String((err as Error).message).includes('NOGROUP')) groupReady = false;
        const now = Date.now();
        if (now - this.lastErrorLog > 30_000) {
          this.lastErrorLog = now;
          this.logger.warn({ err: { message: (err as Error).message } }, 'rating summaries unavailable: RATING_DESC keeps the last applied ratings');
        }
        await sleep(RETRY_MS);
      }
    }
  }

  private async createGroup(): Promise<boolean> {
    try {
      await this.redis.xgroup('CREATE', this.stream, GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
    return true;
  }

  /** The latest entry per title wins; malformed ones are logged and acknowledged, never retried forever. */
  private async apply(entries: [string, string[]][]): Promise<void> {
    const latest = new Map<string, { contentId: string; average: number | null; count: number }>();
    for (const [id, fields] of entries) {
      const values = new Map<string, string>();
      for (let i = 0; i + 1 < fields.length; i += 2) values.set(fields[i]!, fields[i + 1]!);
      const contentId = values.get('contentId');
      const sum = Number(values.get('sum'));
      const count = Number(values.get('count'));
      if (!contentId || !Number.isInteger(sum) || !Number.isInteger(count) || count < 0) {
        this.logger.warn({ entryId: id }, 'skipped a malformed rating summary');
        continue;
      }
      latest.set(contentId, { contentId, average: count > 0 ? sum / count : null, count });
    }
    await this.contents.applyRatingSummaries([...latest.values()]);
    await this.redis.xack(this.stream, GROUP, ...entries.map(([id]) => id));
  }
}
