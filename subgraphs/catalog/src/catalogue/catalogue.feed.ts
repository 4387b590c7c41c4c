import type { Redis } from 'ioredis';
import type { Logger } from '@ott/kit';

/** The Redis pub/sub channel on which catalog processes tell each other the catalogue's new version. */
export const catalogueVersionChannel = (keyPrefix: string) => `${keyPrefix}catalog:catalogue-version`;

/** How long a writer waits to hear its own announcement before answering anyway. */
const ECHO_WAIT_MS = 250;

/**
 * The catalogue's version, pushed. Every write's process publishes the version it announced in
 * the database (catalogue.version.ts); every catalog process hears it, so a request need not
 * read the version from the database to know its copy is current: it only compares numbers.
 *
 * A writer answers once it has heard its own announcement: Redis hands a message to every
 * subscriber at once, so by then it is on its way to every other process too, and a read that
 * starts after the write answered finds it arrived. While not subscribed (Redis down, or
 * reconnecting), `live` is false and readers check the database on every request, as without
 * the feed; every (re)subscription starts a new `epoch`, after which a reader checks the
 * database once more for what was announced while nobody listened.
 */
export class CatalogueVersionFeed {
  private subscribedEpoch = 0;
  private listening = false;
  private latest = 0;
  private readonly echoes = new Set<{ version: number; heard: () => void }>();

  constructor(
    /** A connection of its own, without a key prefix: subscribing takes it over. */
    private readonly subscriber: Redis,
    /** Any connection without a key prefix, to publish on. */
    private readonly publisher: Redis,
    private readonly channel: string,
    private readonly logger: Logger,
  ) {}

  /** Subscribes now (when Redis is up) and again after every reconnect. */
  start(): void {
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.heard(Number(message));
    });
    this.subscriber.on('close', () => {
      this.listening = false;
    });
    this.subscriber.on('ready', () => void this.follow());
    if (this.subscriber.status === 'ready') void this.follow();
  }

  /** Whether announcements are arriving; while false, readers ask the database. */
  get live(): boolean {
    return this.listening;
  }

  /** Counts subscriptions: a reader checks the database once per epoch before trusting the feed. */
  get epoch(): number {
    return this.subscribedEpoch;
  }

  /** The highest version heard. */
  get heardVersion(): number {
    return this.latest;
  }

  /**
   * Tells every catalog process of `version`, then waits (briefly) to hear it back. Without
   * Redis the announcement is lost: other processes see the change at their next check of the
   * database (each checks at least every CATALOG_VERSION_CHECK_MS).
   */
  async publish(version: number): Promise<void> {
    if (!this.listening || this.latest >= version) {
      await this.send(version);
      return;
    }
    let echo!: { version: number; heard: () => void };
    const heard = new Promise<void>((resolve) => (echo = { version, heard: resolve }));
    this.echoes.add(echo);
    const timer = setTimeout(() => echo.heard(), ECHO_WAIT_MS);
    try {
      await this.send(version);
      await heard;
    } finally {
      clearTimeout(timer);
      this.echoes.delete(echo);
    }
  }

  private async send(version: number): Promise<void> {
    try {
      await this.publisher.publish(this.channel, String(version));
    } catch (err) {
      this.logger.warn({ err: { message: (err as Error).message } }, 'could not push a catalogue change: other catalog processes see it at their next check of the database');
    }
  }

  private heard(version: number): void {
    if (!Number.isSafeInteger(version)) return;
    if (version > this.latest) this.latest = version;
    for (const echo of this.echoes) if (echo.version <= version) echo.heard();
  }

  private async follow(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.channel);
      this.subscribedEpoch += 1;
      this.listening = true;
    } catch (err) {
      this.logger.warn({ err: { message: (err as Error).message } }, 'not following catalogue changes over Redis: every request checks the database');
    }
  }
}
