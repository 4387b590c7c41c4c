import type { Express } from 'express';
import { jwks, type TokenConfig } from '@ott/kit';

/** Where the gateway publishes the public keys tokens are signed by (RFC 8615's well-known path). */
export const JWKS_PATH = '/.well-known/jwks.json';

/**
 * How long a client (Apollo Router, Hive Gateway, a CDN) may keep the key set: a new key is
 * listed in JWT_PUBLIC_KEYS at least this long before users signs with it (README, "Rotating
 * the token keys").
 */
export const JWKS_MAX_AGE_SECONDS = 300;

/**
 * GET /.well-known/jwks.json: the gateway's JWT_PUBLIC_KEYS as a JSON Web Key Set, public
 * parts only (the gateway holds no private key), the same bytes for everyone and cacheable.
 */
export function mountJwks(app: Express, tokens: TokenConfig): void {
  const body = JSON.stringify(jwks(tokens));
  app.get(JWKS_PATH, (_request, response) => {
    response.set({ 'content-type': 'application/json; charset=utf-8', 'cache-control': `public, max-age=${JWKS_MAX_AGE_SECONDS}` });
    response.send(body);
  });
}
