import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { credentialsFromAuthorization, signAccessToken, signingTokenConfig, tokenConfig } from '../src';

/** The secret every stack without JWT_SECRET used to sign with, as it was written in the source. */
const OLD_CONSTANT = 'local-development-secret-not-for-production-use';
const NAMES = { JWT_ISSUER: 'ott-users', JWT_AUDIENCE: 'ott-supergraph' };
const claims = { sub: '000000000000000000000001', role: 'ADMIN', iss: 'ott-users', aud: 'ott-supergraph' };
const member = { id: claims.sub, role: 'USER' as const };

describe('the development stack’s token keys', () => {
  it('never take a token signed with the HS256 constant that used to be in the source', () => {
    const forged = jwt.sign(claims, OLD_CONSTANT, { algorithm: 'HS256', expiresIn: 600 });
    for (const NODE_ENV of ['development', 'test']) {
      for (const tokens of [tokenConfig({ NODE_ENV, ...NAMES }), signingTokenConfig({ NODE_ENV, ...NAMES })]) {
        expect(() => credentialsFromAuthorization(`Bearer ${forged}`, tokens)).toThrow(
          expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }),
        );
      }
    }
  });

  it('are an ES256 pair drawn once, the private key readable by its owner only, reused by the next start', async () => {
    const { ensureDevKeys } = await import('../../../tools/stack/dev-keys.mjs');
    const dataDir = join(mkdtempSync(join(tmpdir(), 'ott-keys-')), 'dev');
    const first = ensureDevKeys(dataDir);
    expect(first.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(first.publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(statSync(first.file).mode & 0o777).toBe(0o600);
    expect(ensureDevKeys(dataDir)).toEqual(first);

    // What users signs with it, a service given only the public key verifies.
    const token = signAccessToken(member, signingTokenConfig({ NODE_ENV: 'development', JWT_PRIVATE_KEYS: first.privateKey, ...NAMES }), 60);
    expect(credentialsFromAuthorization(`Bearer ${token}`, tokenConfig({ NODE_ENV: 'development', JWT_PUBLIC_KEYS: first.publicKey, ...NAMES }))?.user).toEqual(
      member,
    );

    // A copy with looser permissions is tightened, not trusted as it is.
    chmodSync(first.file, 0o644);
    expect(ensureDevKeys(dataDir).privateKey).toBe(first.privateKey);
    expect(statSync(first.file).mode & 0o777).toBe(0o600);

    // Another data folder, another pair; a file that holds no key is refused, not replaced.
    expect(ensureDevKeys(join(dataDir, 'other')).publicKey).not.toBe(first.publicKey);
    writeFileSync(join(dataDir, 'other', 'jwt-private-key.pem'), 'short');
    expect(() => ensureDevKeys(join(dataDir, 'other'))).toThrow(/no readable private key/);
  });

  it('give users the private keys and everyone the public halves, from JWT_PRIVATE_KEYS when it is set', async () => {
    const { generateTokenKeys, stackTokenKeys, tokenEnv } = await import('../../../tools/stack/dev-keys.mjs');
    const [a, b] = [generateTokenKeys(), generateTokenKeys()];
    const keys = stackTokenKeys('/nonexistent', { JWT_PRIVATE_KEYS: a.privateKey + b.privateKey });
    expect(keys).toEqual({ privateKeys: a.privateKey + b.privateKey, publicKeys: a.publicKey + b.publicKey });
    expect(tokenEnv('users', keys)).toEqual({ JWT_PRIVATE_KEYS: keys.privateKeys, JWT_PUBLIC_KEYS: keys.publicKeys });
    for (const service of ['gateway', 'catalog', 'my-list', 'ratings', 'streaming', 'billing']) {
      expect(tokenEnv(service, keys), service).toEqual({ JWT_PUBLIC_KEYS: keys.publicKeys });
    }
  });
});
