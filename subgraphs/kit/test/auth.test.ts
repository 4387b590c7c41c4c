import { describe, expect, it } from 'vitest';
import { credentialsFromAuthorization, generateTokenKeyPair, signAccessToken, signingTokenConfig, type TokenConfig } from '../src';

const config = (privateKey: string) => signingTokenConfig({ NODE_ENV: 'test', JWT_PRIVATE_KEYS: privateKey, JWT_ISSUER: 'ott-test', JWT_AUDIENCE: 'ott-test' });
const KEY = generateTokenKeyPair().privateKey;
const OTHER_KEY = generateTokenKeyPair().privateKey;
const verifyCredentials = (token: string, tokens: TokenConfig) => credentialsFromAuthorization(`Bearer ${token}`, tokens)!;
const member = { id: 'u1', role: 'USER' as const };

describe('verifying access tokens', () => {
  it('answers a token verified before from memory, until it expires', async () => {
    const tokens = config(KEY);
    const token = signAccessToken(member, tokens, 1);
    const first = verifyCredentials(token, tokens);
    expect(first.user).toEqual(member);
    expect(verifyCredentials(token, tokens)).toBe(first);

    await new Promise((resolve) => setTimeout(resolve, first.expiresAt.getTime() - Date.now() + 50));
    expect(() => verifyCredentials(token, tokens)).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/expired/), extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }),
    );
  });

  it('never accepts, under another key, a token that verified under one', () => {
    const issuing = config(KEY);
    const other = config(OTHER_KEY);
    const token = signAccessToken(member, issuing, 60);
    verifyCredentials(token, issuing);
    expect(() => verifyCredentials(token, other)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }));
  });

  it('hands out credentials no caller can change for the next request', () => {
    const tokens = config(KEY);
    const { user } = verifyCredentials(signAccessToken(member, tokens, 60), tokens);
    expect(() => Object.assign(user, { role: 'ADMIN' })).toThrow(TypeError);
  });
});
