import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@ott/kit';
import type { PlaybackService } from './session.service';

/**
 * The periodic half of expiry (the database has no TTL indexes to do it): every interval,
 * sessions without a heartbeat for the timeout end and free their streams. Every instance
 * may run one; the conditional end makes each session end once.
 */
export class PlaybackSweeper {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly wake = new AbortController();
  private lastErrorLog = 0;

  constructor(
    private readonly playback: Pick<PlaybackService, 'expireStale'>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): this {
    this.running = true;
    this.loop = this.run();
    return this;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const expired = await this.playback.expireStale();
        if (expired > 0) this.logger.info({ expired }, 'ended playback sessions without a heartbeat');
      } catch (err) {
        const now = Date.now();
        if (now - this.lastErrorLog > 30_000) {
          this.lastErrorLog = now;
          this.logger.warn({ err: { message: (err as Error).message } }, 'could not sweep quiet playback sessions: starts still free their streams');
        }
      }
      await sleep(this.intervalMs, undefined, { signal: this.wake.signal }).catch(() => undefined);
    }
  }
}
