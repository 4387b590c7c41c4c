import { credentialsFromAuthorization, type AuthUser, type Logger, type TokenConfig } from '@ott/kit';
import { CloseCode } from 'graphql-ws';
import type { Connection } from './live-subscription';

export interface ConnectionRegistryOptions {
  tokens: TokenConfig;
  logger: Logger;
  /** Open subscription connections of one member on this instance: graphql-ws sockets and HTTP streams together. */
  connectionsPerMember: number;
}

/**
 * The subscription connections open on this instance, over every protocol: who holds them
 * (the per-member cap), and with which token (each is dropped when its token expires, or
 * when the member's token stamp moves past it: a logout, a role change).
 */
export class ConnectionRegistry {
  private readonly perMember = new Map<string, number>();
  /** Each member's open connections, with when their token was issued: a revocation ends the older ones. */
  private readonly tokensOf = new Map<string, Map<Connection, number>>();

  constructor(private readonly options: ConnectionRegistryOptions) {
    options.tokens.stamps?.onStamp((memberId, validAfter) => this.revoked(memberId, validAfter));
  }

  get connectionsPerMember(): number {
    return this.options.connectionsPerMember;
  }

  /** The member an Authorization header names, or why not. */
  async authenticate(header: unknown): Promise<{ user: AuthUser; expiresAt: Date; issuedAt: number; authorization: string } | { error: string | undefined }> {
    let credentials;
    try {
      credentials = typeof header === 'string' ? credentialsFromAuthorization(header, this.options.tokens) : null;
    } catch (error) {
      return { error: (error as Error).message };
    }
    // Undefined: nothing was sent (each protocol says how to send it).
    if (!credentials) return { error: undefined };
    // Revoked since it was issued (logout, role change): refused as an invalid token.
    const revoked = await this.options.tokens.stamps?.check(credentials);
    if (revoked) return { error: revoked.message };
    return { user: credentials.user, expiresAt: credentials.expiresAt, issuedAt: credentials.issuedAt, authorization: header as string };
  }

  /** Takes one of the member's connections: false when they hold the most already. */
  open(userId: string): boolean {
    const open = this.perMember.get(userId) ?? 0;
    if (open >= this.options.connectionsPerMember) return false;
    this.perMember.set(userId, open + 1);
    return true;
  }

  /** Drops the connection when its token expires, or is revoked (a logout, a role change: the member's stamp moved past it). */
  expireWithToken(connection: Connection, token: { expiresAt: Date; issuedAt: number }, code: number): void {
    connection.expiry = setTimeout(
      () => this.drop(connection, code, 'The access token expired: reconnect with a fresh one.'),
      Math.max(0, token.expiresAt.getTime() - Date.now()),
    );
    connection.expiry.unref();
    const open = this.tokensOf.get(connection.user.id) ?? new Map<Connection, number>();
    this.tokensOf.set(connection.user.id, open.set(connection, token.issuedAt));
  }

  /** Frees a closed connection's place; its token no longer matters. */
  release(connection: Connection): void {
    clearTimeout(connection.expiry);
    const open = (this.perMember.get(connection.user.id) ?? 1) - 1;
    if (open > 0) this.perMember.set(connection.user.id, open);
    else this.perMember.delete(connection.user.id);
    const tokens = this.tokensOf.get(connection.user.id);
    tokens?.delete(connection);
    if (tokens?.size === 0) this.tokensOf.delete(connection.user.id);
  }

  drop(connection: Connection, code: number, reason: string): void {
    this.options.logger.info({ userId: connection.user.id, code, reason, protocol: connection.protocol }, 'subscription connection closed by the gateway');
    connection.drop(code, reason);
  }

  private revoked(memberId: string, validAfter: number): void {
    for (const [connection, issuedAt] of this.tokensOf.get(memberId) ?? []) {
      if (issuedAt < validAfter)
        this.drop(connection, CloseCode.Unauthorized, 'The access token was revoked (signed out, or the account changed): sign in again.');
    }
  }
}
