import jwt from 'jsonwebtoken';
import type { TokenConfig } from './config';
import { unauthenticated } from './errors';

export const Roles = ['USER', 'ADMIN'] as const;
export type RoleName = (typeof Roles)[number];

/** The signed-in caller as every service sees it, taken from a verified access token. */
export interface AuthUser {
  id: string;
  role: RoleName;
}

const ALGORITHM = 'HS256';

export function signAccessToken(user: AuthUser, config: TokenConfig, ttlSeconds: number): string {
  return jwt.sign({ role: user.role }, config.key, {
    algorithm: ALGORITHM,
    subject: user.id,
    issuer: config.issuer,
    audience: config.audience,
    expiresIn: ttlSeconds,
  });
}

export function verifyAccessToken(token: string, config: TokenConfig): AuthUser {
  let payload: string | jwt.JwtPayload;
  try {
    payload = jwt.verify(token, config.key, {
      algorithms: [ALGORITHM],
      issuer: config.issuer,
      audience: config.audience,
    });
  } catch (error) {
    const expired = error instanceof jwt.TokenExpiredError;
    throw unauthenticated(expired ? 'The access token has expired: refresh it and try again.' : 'The access token is invalid: sign in again.');
  }
  if (typeof payload === 'string' || typeof payload.sub !== 'string' || !Roles.includes(payload.role)) {
    throw unauthenticated('The access token is invalid: sign in again.');
  }
  return { id: payload.sub, role: payload.role as RoleName };
}

/**
 * The caller behind an Authorization header: null when there is none (an anonymous request),
 * UNAUTHENTICATED when there is one that does not verify (never silently anonymous).
 */
export function userFromAuthorization(header: string | undefined, config: TokenConfig): AuthUser | null {
  if (header === undefined || header === '') return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw unauthenticated('The Authorization header must be "Bearer <access token>".');
  return verifyAccessToken(match[1]!, config);
}
