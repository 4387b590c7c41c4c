import jwt from 'jsonwebtoken';
import { TOKEN_ALGORITHM, type SigningTokenConfig, type TokenConfig } from './token-keys';
import { unauthenticated } from './errors';

export const Roles = ['USER', 'ADMIN'] as const;
export type RoleName = (typeof Roles)[number];

/** The signed-in caller as every service sees it, taken from a verified access token. */
export interface AuthUser {
  id: string;
  role: RoleName;
}

/** Signs with users' newest private key (`kid` names it): only settings holding one can sign. */
export function signAccessToken(user: AuthUser, config: SigningTokenConfig, ttlSeconds: number): string {
  // `iat` to the millisecond (a NumericDate may have a fraction): a token issued just after a
  // logout, in the same second, must not be taken for one issued before it (token-stamps.ts).
  // `exp` stays whole seconds, counted from the whole second (as expiresIn would count it).
  const now = Date.now();
  return jwt.sign({ role: user.role, iat: now / 1000, exp: Math.floor(now / 1000) + ttlSeconds }, config.signing.key, {
    algorithm: TOKEN_ALGORITHM,
    keyid: config.signing.kid,
    subject: user.id,
    issuer: config.issuer,
    audience: config.audience,
  });
}

/** A verified access token: who it names, when it was issued (ms since the epoch) and until when it is valid. */
export interface Credentials {
  user: AuthUser;
  issuedAt: number;
  expiresAt: Date;
}

export function verifyAccessToken(token: string, config: TokenConfig): AuthUser {
  return verifyCredentials(token, config).user;
}

/**
 * Tokens verified already, per key, until they expire: every request of a signed-in member
 * carries the same token for its 15 minutes, and the gateway and each subgraph verify it
 * again, so a signature check and a JSON parse per request and per hop become a map lookup. Only tokens
 * that verified are kept; a full map is cleared (it refills with the tokens in use).
 */
const VERIFIED_TOKENS_MAX = 10_000;
const verified = new WeakMap<TokenConfig, Map<string, Credentials>>();

export function verifyCredentials(token: string, config: TokenConfig): Credentials {
  let known = verified.get(config);
  if (!known) verified.set(config, (known = new Map()));
  const hit = known.get(token);
  if (hit && hit.expiresAt.getTime() > Date.now()) return hit;
  if (hit) known.delete(token);
  const credentials = verifyToken(token, config);
  if (known.size >= VERIFIED_TOKENS_MAX) known.clear();
  known.set(token, credentials);
  return credentials;
}

const invalid = () => unauthenticated('The access token is invalid: sign in again.');

function verifyToken(token: string, config: TokenConfig): Credentials {
  // The key is the one its `kid` names, among the listed public keys, and ES256 only: a token
  // of another algorithm (HS256 "signed" with a public key, `none`) is refused before any check.
  const header = jwt.decode(token, { complete: true })?.header;
  const key = typeof header?.kid === 'string' ? config.keys.get(header.kid) : undefined;
  if (!key || header?.alg !== TOKEN_ALGORITHM) throw invalid();
  let payload: string | jwt.JwtPayload;
  try {
    payload = jwt.verify(token, key, {
      algorithms: [TOKEN_ALGORITHM],
      issuer: config.issuer,
      audience: config.audience,
    });
  } catch (error) {
    const expired = error instanceof jwt.TokenExpiredError;
    throw unauthenticated(expired ? 'The access token has expired: refresh it and try again.' : 'The access token is invalid: sign in again.');
  }
  if (typeof payload === 'string' || typeof payload.sub !== 'string' || !Roles.includes(payload.role) || typeof payload.exp !== 'number') throw invalid();
  // Without `iat` a token counts as issued at the epoch: any stamp of its member refuses it.
  const issuedAt = typeof payload.iat === 'number' ? Math.round(payload.iat * 1000) : 0;
  return Object.freeze({ user: Object.freeze({ id: payload.sub, role: payload.role as RoleName }), issuedAt, expiresAt: new Date(payload.exp * 1000) });
}

/**
 * The verified token behind an Authorization header: null when there is none (an anonymous
 * request), UNAUTHENTICATED when there is one that does not verify (never silently anonymous).
 * The signature only: whether the token was revoked since is `TokenStamps.check` (asynchronous),
 * which every request context runs (context.ts) and the WebSocket endpoint on connect.
 * With the expiry: a long-lived connection must end with it.
 */
export function credentialsFromAuthorization(header: string | undefined, config: TokenConfig): Credentials | null {
  if (header === undefined || header === '') return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw unauthenticated('The Authorization header must be "Bearer <access token>".');
  return verifyCredentials(match[1]!, config);
}
