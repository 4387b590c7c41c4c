import { publicChanges, publicChangesChannel } from '@ott/events';
import { decodeOrWarn, type Logger, type RedisClient } from '@ott/kit';

const SUBGRAPH = 'catalog';

/** How long a writer waits to hear its own announcement before answering anyway. */
const ECHO_WAIT_MS = 250;

/**
 * The catalogue's version, pushed: the one event every catalogue change ends with. Every
 * write's process publishes the version it announced in the database (catalogue.version.ts) on
 * the public-changes channel (`catalog <version>`): gateways drop the answers they kept of
 * catalog, and every catalog process hears it, so a request need not read the version from the
 * database to know its copy is current: it only compares numbers.
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

  private readonly channel: string;

  constructor(
    /** Any connection without a key prefix, to publish on. */
    private readonly publisher: RedisClient,
    keyPrefix: string,
    private readonly logger: Logger,
    /** A connection of its own, without a key prefix (subscribing takes it over); without it, publish only. */
    private readonly subscriber?: RedisClient,
  ) {
    this.channel = publicChangesChannel(keyPrefix);
  }

  /** Subscribes now (when Redis is up) and again after every reconnect. */
  start(): void {
    const subscriber = this.subscriber;
    if (!subscriber) return;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      const change = decodeOrWarn(publicChanges, message, this.logger, { channel });
      if (change?.subgraph === SUBGRAPH && change.version !== undefined) this.heard(change.version);
    });
    subscriber.on('close', () => {
      this.listening = false;
    });
    subscriber.on('ready', () => void this.follow(subscriber));
    if (subscriber.status === 'ready') void this.follow(subscriber);
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
      await this.publisher.publish(this.channel, publicChanges.encode({ subgraph: SUBGRAPH, version }));
    } catch (err) {
      this.logger.warn(
        { err: { message: (err as Error).message } },
        'could not announce a catalogue change over Redis: other catalog processes see it at their next check of the database, gateways serve what they kept until its max-age',
      );
    }
  }

  private heard(version: number): void {
    if (version > this.latest) this.latest = version;
    for (const echo of this.echoes) if (echo.version <= version) echo.heard();
  }

  private async follow(subscriber: RedisClient): Promise<void> {
    try {
      await subscriber.subscribe(this.channel);
      this.subscribedEpoch += 1;
      this.listening = true;
    } catch (err) {
      this.logger.warn({ err: { message: (err as Error).message } }, 'not following catalogue changes over Redis: every request checks the database');
    }
  }
}
