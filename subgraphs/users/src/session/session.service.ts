import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import {
  addressBucket,
  appError,
  consumeAll,
  rateLimited,
  signAccessToken,
  unauthenticated,
  type Logger,
  type RateLimiter,
  type SigningTokenConfig,
} from '@ott/kit';
import { ErrorCode } from '../errors';
import type { UserDocument, UserService } from '../user/user.service';
import { normalizeEmail } from '../user/user.validation';
import type { RefreshTokenModel } from './refresh-token.model';
import type { TokenRevocation } from './token-revocation';

export interface SessionSettings {
  tokens: SigningTokenConfig;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
}

/**
 * Failed sign-ins are counted three ways (OWASP's advice): per account and client address, which
 * stops one client guessing one password; per account, looser, which stops many addresses
 * guessing one password but takes many addresses to lock a member out; per address across
 * accounts, which stops one client trying one password on many accounts.
 */
export interface LoginLimits {
  accountAndAddress: RateLimiter;
  account: RateLimiter;
  address: RateLimiter;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: UserDocument;
}

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

export class SessionService {
  // Verifying against a throwaway hash keeps unknown emails as slow as wrong passwords.
  private decoyHash: Promise<string> | undefined;

  constructor(
    private readonly refreshTokens: RefreshTokenModel,
    private readonly users: UserService,
    private readonly settings: SessionSettings,
    private readonly limits: LoginLimits,
    private readonly logger: Logger,
    private readonly revocation: TokenRevocation,
  ) {}

  /** Starts a new token family for a user who just registered or signed in. */
  async issue(user: UserDocument, familyId: string = randomUUID()): Promise<IssuedTokens> {
    const refreshToken = randomBytes(32).toString('base64url');
    await this.refreshTokens.create({
      tokenHash: sha256(refreshToken),
      userId: user.id,
      familyId,
      expiresAt: new Date(Date.now() + this.settings.refreshTokenTtlSeconds * 1000),
    });
    const accessToken = signAccessToken({ id: user.id, role: user.role }, this.settings.tokens, this.settings.accessTokenTtlSeconds);
    return { accessToken, refreshToken, expiresIn: this.settings.accessTokenTtlSeconds, user };
  }

  /**
   * Unknown email and wrong password answer alike, so the API never reveals who has an
   * account. Every attempt is counted before the password is checked, so racing attempts
   * cannot pass a limit together; a successful one is given back, and clears its pair's count.
   */
  async login(rawEmail: string, password: string, clientIp: string): Promise<IssuedTokens> {
    const account = rawEmail.trim().toLowerCase();
    const address = addressBucket(clientIp);
    const pair = `${account} ${address}`;
    const wait = await consumeAll([
      [this.limits.accountAndAddress, pair],
      [this.limits.address, address],
      [this.limits.account, account],
    ]);
    if (wait !== undefined) throw rateLimited('Too many failed sign-ins', wait);
    let email: string | undefined;
    try {
      email = normalizeEmail(rawEmail);
    } catch {
      email = undefined;
    }
    const user = email ? await this.users.findByEmail(email) : null;
    this.decoyHash ??= hash(randomBytes(16).toString('hex'));
    const matches = await verify(user?.passwordHash ?? (await this.decoyHash), password).catch(() => false);
    if (!user || !matches) throw appError(ErrorCode.INVALID_CREDENTIALS, 'Email or password is incorrect.');
    await Promise.all([this.limits.accountAndAddress.reset(pair), this.limits.address.refund(address), this.limits.account.refund(account)]);
    return this.issue(user);
  }

  /**
   * Rotates a refresh token. Marking it used is one atomic update, so of two racing uses one
   * wins; presenting a used token again is treated as theft and ends the whole family.
   */
  async refresh(refreshToken: string): Promise<IssuedTokens> {
    const tokenHash = sha256(refreshToken);
    const now = new Date();
    const current = await this.refreshTokens
      .findOneAndUpdate({ tokenHash, usedAt: null, revokedAt: null, expiresAt: { $gt: now } }, { $set: { usedAt: now } }, { returnDocument: 'after' })
      .exec();
    if (!current) {
      const known = await this.refreshTokens.findOne({ tokenHash }).exec();
      if (known?.usedAt && !known.revokedAt) {
        await this.revokeFamily(known.familyId, now);
        this.logger.warn({ userId: known.userId, familyId: known.familyId }, 'refresh token reused: revoked its family');
      }
      throw unauthenticated('The refresh token is no longer valid: sign in again.');
    }
    const user = await this.users.findById(current.userId);
    if (!user) throw unauthenticated('The account no longer exists.');
    return this.issue(user, current.familyId);
  }

  /**
   * Ends the session the token belongs to, and every access token its member was issued before
   * now, on every device (a stamp is per member): other sessions keep their refresh tokens and
   * get a new access token at their next refresh. False when the token is unknown.
   */
  async logout(refreshToken: string): Promise<boolean> {
    const known = await this.refreshTokens.findOne({ tokenHash: sha256(refreshToken) }).exec();
    if (!known) return false;
    const now = new Date();
    await this.revokeFamily(known.familyId, now);
    await this.revocation.revokeTokensOf(known.userId, 'logout', now);
    return true;
  }

  private async revokeFamily(familyId: string, at: Date): Promise<void> {
    await this.refreshTokens.updateMany({ familyId, revokedAt: null }, { $set: { revokedAt: at } }).exec();
  }
}
