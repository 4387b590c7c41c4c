import type { Logger, TokenStamps } from '@ott/kit';
import type { UserModel } from '../user/user.model';

const RETRY_MS = 5_000;

/**
 * Ends the access tokens a member holds: their "valid after" stamp is written to the users
 * database (the record) and then to Redis, announced to every service (TokenStamps), which from
 * then on refuses the member's tokens issued before it with UNAUTHENTICATED.
 *
 * When Redis fails the stamp is kept here and announced again every few seconds until Redis
 * takes it; meanwhile (or if this process stops first) the old tokens keep working until they
 * expire, at most ACCESS_TOKEN_TTL_SECONDS after they were issued. The logout or role change
 * itself is not refused for it: the refresh tokens are ended in the database either way.
 */
export class TokenRevocation {
  private readonly unannounced = new Map<string, number>();
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly users: UserModel,
    private readonly stamps: TokenStamps | undefined,
    private readonly accessTokenTtlSeconds: number,
    private readonly logger: Logger,
  ) {}

  /**
   * Announces again every stamp still in force (younger than an access token can live), from the
   * records: at start, and whenever the stamps' Redis connection is back, since a Redis restarted
   * without its data would otherwise let revoked tokens through until they expire.
   */
  async announceInForce(): Promise<void> {
    if (!this.stamps) return;
    const since = new Date(Date.now() - (this.accessTokenTtlSeconds + 60) * 1000);
    const recent = await this.users
      .find({ tokensValidAfter: { $gt: since } }, { _id: 1, tokensValidAfter: 1 })
      .lean()
      .exec();
    for (const { _id, tokensValidAfter } of recent) {
      const userId = String(_id);
      this.unannounced.set(userId, Math.max(tokensValidAfter!.getTime(), this.unannounced.get(userId) ?? 0));
    }
    await Promise.all([...this.unannounced.keys()].map((userId) => this.announce(userId)));
    if (recent.length > 0) this.logger.info({ stamps: recent.length }, 'token stamps in force announced again');
  }

  /** Announces the stamps in force now, and each time the stamps' Redis connection is back. */
  async start(): Promise<void> {
    this.stamps?.onReconnect(() => {
      this.announceInForce().catch((err: Error) => this.logger.warn({ err: { message: err.message } }, 'could not announce the token stamps in force again'));
    });
    await this.announceInForce();
  }

  /** Refuses, from now on and in every service, the member's access tokens issued before `at`. */
  async revokeTokensOf(userId: string, reason: 'logout' | 'role change', at = new Date()): Promise<void> {
    await this.users.updateOne({ _id: userId }, { $set: { tokensValidAfter: at } }).exec();
    this.unannounced.set(userId, Math.max(at.getTime(), this.unannounced.get(userId) ?? 0));
    await this.announce(userId);
    this.logger.info({ userId, reason }, 'access tokens issued before now are revoked');
  }

  private async announce(userId: string): Promise<void> {
    const validAfter = this.unannounced.get(userId);
    if (validAfter === undefined || !this.stamps) return void this.unannounced.delete(userId);
    try {
      // Kept as long as a token issued before the stamp can live, plus a minute of clock skew.
      await this.stamps.publish(userId, validAfter, this.accessTokenTtlSeconds + 60);
      if (this.unannounced.get(userId) === validAfter) this.unannounced.delete(userId);
    } catch (err) {
      this.logger.warn(
        { userId, err: { message: (err as Error).message } },
        'could not announce revoked tokens: retrying; until then they work until they expire',
      );
      this.retryLater();
    }
  }

  private retryLater(): void {
    if (this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void Promise.all([...this.unannounced.keys()].map((userId) => this.announce(userId)));
    }, RETRY_MS);
    this.retry.unref();
  }

  /** Stops retrying (the service is stopping). */
  close(): void {
    clearTimeout(this.retry);
    this.retry = undefined;
  }
}
