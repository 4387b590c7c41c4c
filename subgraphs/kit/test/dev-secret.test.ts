import { mkdtempSync, statSync, chmodSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { credentialsFromAuthorization, tokenConfig } from '../src';

/** The secret every stack without JWT_SECRET used to sign with, as it was written in the source. */
const OLD_CONSTANT = 'local-development-secret-not-for-production-use';
const claims = { sub: '000000000000000000000001', role: 'ADMIN', iss: 'ott-users', aud: 'ott-supergraph' };

describe('the JWT secret without JWT_SECRET', () => {
  it('is never the constant that used to be in the source, whatever NODE_ENV says', () => {
    const forged = jwt.sign(claims, OLD_CONSTANT, { algorithm: 'HS256', expiresIn: 600 });
    for (const NODE_ENV of ['development', 'test']) {
      const tokens = tokenConfig({ NODE_ENV, JWT_ISSUER: 'ott-users', JWT_AUDIENCE: 'ott-supergraph' });
      expect(() => credentialsFromAuthorization(`Bearer ${forged}`, tokens)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }));
    }
    expect(() => tokenConfig({ NODE_ENV: 'production', JWT_ISSUER: 'ott-users', JWT_AUDIENCE: 'ott-supergraph' })).toThrow(/JWT_SECRET: is required in production/);
  });

  it('is drawn once by the stack, kept readable by its owner only, and reused by the next start', async () => {
    const { ensureDevSecret } = await import('../../../tools/stack/dev-secret.mjs');
    const dataDir = join(mkdtempSync(join(tmpdir(), 'ott-secret-')), 'dev');
    const first = ensureDevSecret(dataDir);
    expect(first.secret.length).toBeGreaterThanOrEqual(32);
    expect(first.secret).not.toBe(OLD_CONSTANT);
    expect(statSync(first.file).mode & 0o777).toBe(0o600);
    expect(ensureDevSecret(dataDir)).toEqual(first);

    // A copy with looser permissions is tightened, not trusted as it is.
    chmodSync(first.file, 0o644);
    expect(ensureDevSecret(dataDir).secret).toBe(first.secret);
    expect(statSync(first.file).mode & 0o777).toBe(0o600);

    // Another data folder, another secret.
    expect(ensureDevSecret(join(dataDir, 'other')).secret).not.toBe(first.secret);
    writeFileSync(join(dataDir, 'other', 'jwt-secret'), 'short');
    expect(() => ensureDevSecret(join(dataDir, 'other'))).toThrow(/fewer than 32/);
  });
});
