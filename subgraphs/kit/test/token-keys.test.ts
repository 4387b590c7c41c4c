import { createHmac, createPublicKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import {
  credentialsFromAuthorization,
  generateTokenKeyPair,
  jwks,
  keyId,
  signAccessToken,
  signingTokenConfig,
  tokenConfig,
  type SigningTokenConfig,
  type TokenConfig,
} from '../src';

const NAMES = { JWT_ISSUER: 'ott-users', JWT_AUDIENCE: 'ott-supergraph' };
const member = { id: '000000000000000000000001', role: 'ADMIN' as const };
const older = generateTokenKeyPair();
const newer = generateTokenKeyPair();
const stranger = generateTokenKeyPair();

const users = (...privateKeys: string[]) => signingTokenConfig({ NODE_ENV: 'test', JWT_PRIVATE_KEYS: privateKeys.join(''), ...NAMES });
const verifier = (...publicKeys: string[]) => tokenConfig({ NODE_ENV: 'test', JWT_PUBLIC_KEYS: publicKeys.join(''), ...NAMES });
const verify = (token: string, tokens: TokenConfig) => credentialsFromAuthorization(`Bearer ${token}`, tokens)!;
const refused = expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) });
const kidOf = (token: string) => jwt.decode(token, { complete: true })!.header.kid;

/** An HS256 token made by hand (jsonwebtoken refuses to use a PEM key as an HMAC secret): what an attacker would send. */
function hs256(secret: string | Buffer, kid: string | undefined, claims: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = part({ alg: 'HS256', typ: 'JWT', ...(kid ? { kid } : {}) });
  const payload = part({ sub: member.id, role: 'ADMIN', iat: now, exp: now + 600, iss: NAMES.JWT_ISSUER, aud: NAMES.JWT_AUDIENCE, ...claims });
  return `${header}.${payload}.${createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url')}`;
}

describe('ES256 access tokens', () => {
  it('are signed by users with a kid naming its key, and verified with the public key alone', () => {
    const signing = users(newer.privateKey);
    const token = signAccessToken(member, signing, 60);
    expect(jwt.decode(token, { complete: true })!.header).toMatchObject({ alg: 'ES256', kid: keyId(createPublicKey(newer.publicKey)) });
    expect(verify(token, verifier(newer.publicKey)).user).toEqual(member);
    expect(verify(token, signing).user).toEqual(member);
  });

  it('are refused when signed by a key not listed, even under a listed kid', () => {
    const listed = verifier(newer.publicKey);
    const foreign = signAccessToken(member, users(stranger.privateKey), 60);
    expect(() => verify(foreign, listed)).toThrow(refused);
    const posing = jwt.sign({ role: 'ADMIN' }, stranger.privateKey, {
      algorithm: 'ES256',
      keyid: kidOf(signAccessToken(member, users(newer.privateKey), 60)),
      subject: member.id,
      issuer: NAMES.JWT_ISSUER,
      audience: NAMES.JWT_AUDIENCE,
      expiresIn: 60,
    });
    expect(() => verify(posing, listed)).toThrow(refused);
  });

  it('refuse HS256 whatever the secret: a random one, the listed public key itself (algorithm confusion), with or without a listed kid', () => {
    const listed = verifier(newer.publicKey);
    const kid = keyId(createPublicKey(newer.publicKey));
    const der = createPublicKey(newer.publicKey).export({ type: 'spki', format: 'der' });
    for (const secret of ['a-random-secret-of-thirty-two-characters!', newer.publicKey, der]) {
      for (const withKid of [kid, undefined]) {
        expect(() => verify(hs256(secret, withKid), listed), `${String(withKid)}`).toThrow(refused);
      }
    }
    const unsigned = jwt.sign({ role: 'ADMIN' }, '', {
      algorithm: 'none',
      subject: member.id,
      issuer: NAMES.JWT_ISSUER,
      audience: NAMES.JWT_AUDIENCE,
      keyid: kid,
    });
    expect(() => verify(unsigned, listed)).toThrow(refused);
  });

  it('rotate by listing two keys: users signs with the first, every listed key verifies, a removed one no longer does', () => {
    const before = signAccessToken(member, users(older.privateKey), 600);
    const rotating: SigningTokenConfig = users(newer.privateKey, older.privateKey);
    const after = signAccessToken(member, rotating, 600);
    expect(kidOf(after)).toBe(keyId(createPublicKey(newer.publicKey)));
    // Users and every verifier listing both keys take tokens of either.
    for (const tokens of [rotating, verifier(newer.publicKey, older.publicKey)]) {
      expect(verify(before, tokens).user).toEqual(member);
      expect(verify(after, tokens).user).toEqual(member);
    }
    // The older key removed: its tokens are refused, the newer key's still verify.
    for (const tokens of [users(newer.privateKey), verifier(newer.publicKey)]) {
      expect(() => verify(before, tokens)).toThrow(refused);
      expect(verify(after, tokens).user).toEqual(member);
    }
  });

  it('are published as a JWKS of public parts only, which verifies what users signed', () => {
    const published = jwks(verifier(newer.publicKey, older.publicKey));
    expect(published.keys.map((k) => k.kid)).toEqual([newer.publicKey, older.publicKey].map((pem) => keyId(createPublicKey(pem))));
    for (const key of published.keys) {
      expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    }
    const token = signAccessToken(member, users(older.privateKey), 60);
    const jwk = published.keys.find((k) => k.kid === kidOf(token))!;
    expect(jwt.verify(token, createPublicKey({ key: { ...jwk }, format: 'jwk' }), { algorithms: ['ES256'] })).toMatchObject({ sub: member.id });
  });
});

describe('token key settings', () => {
  it('hold no private key, and refuse one, for every service but users', () => {
    const tokens = verifier(newer.publicKey);
    expect('signing' in tokens).toBe(false);
    for (const key of tokens.keys.values()) expect(key.type).toBe('public');
    expect(() => tokenConfig({ NODE_ENV: 'test', JWT_PUBLIC_KEYS: newer.publicKey, JWT_PRIVATE_KEYS: newer.privateKey, ...NAMES })).toThrow(
      /JWT_PRIVATE_KEYS: only the users service signs tokens/,
    );
    expect(() => verifier(newer.privateKey)).toThrow(/JWT_PUBLIC_KEYS: key 1 is a private key/);
  });

  it('are required in production, and refused when they are not P-256 PEM keys', () => {
    expect(() => tokenConfig({ NODE_ENV: 'production', ...NAMES })).toThrow(/JWT_PUBLIC_KEYS: is required in production/);
    expect(() => signingTokenConfig({ NODE_ENV: 'production', ...NAMES })).toThrow(/JWT_PRIVATE_KEYS: is required in production/);
    expect(() => verifier('a-secret-of-thirty-two-characters!!!')).toThrow(/JWT_PUBLIC_KEYS: must be one or more PEM keys/);
    expect(() => verifier(newer.publicKey, 'trailing words')).toThrow(/must be one or more PEM keys/);
    expect(() => users('-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n')).toThrow(/JWT_PRIVATE_KEYS: key 1 is not a readable private key/);
  });

  it('read keys written on one line with \\n, as an env file holds them', () => {
    const oneLine = newer.publicKey.replace(/\n/g, '\\n');
    const token = signAccessToken(member, users(newer.privateKey.replace(/\n/g, '\\n')), 60);
    expect(verify(token, verifier(oneLine)).user).toEqual(member);
  });

  it('outside production without keys: a verifier refuses every token, users signs with a key of its own that verifies nowhere else', () => {
    const own = signingTokenConfig({ NODE_ENV: 'development', ...NAMES });
    const token = signAccessToken(member, own, 60);
    expect(verify(token, own).user).toEqual(member);
    expect(() => verify(token, tokenConfig({ NODE_ENV: 'development', ...NAMES }))).toThrow(refused);
    expect(() => verify(token, signingTokenConfig({ NODE_ENV: 'development', ...NAMES }))).toThrow(refused);
  });
});
