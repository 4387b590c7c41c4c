import { describe, expect, it } from 'vitest';
import { credentialsFromAuthorization, signAccessToken, tokenConfig, type TokenConfig } from '../src';

const config = (secret: string) => tokenConfig({ NODE_ENV: 'test', JWT_SECRET: secret, JWT_ISSUER: 'ott-test', JWT_AUDIENCE: 'ott-test' });
const verifyCredentials = (token: string, tokens: TokenConfig) => credentialsFromAuthorization(`Bearer ${token}`, tokens)!;
const member = { id: 'u1', role: 'USER' as const };

describe('verifying access tokens', () => {
  it('answers a token verified before from memory, until it expires', async () => {
    const tokens = config('a-secret-of-thirty-two-characters!!');
    const token = signAccessToken(member, tokens, 1);
    const first = verifyCredentials(token, tokens);
    expect(first.user).toEqual(member);
    expect(verifyCredentials(token, tokens)).toBe(first);

    await new Promise((resolve) => setTimeout(resolve, first.expiresAt.getTime() - Date.now() + 50));
    expect(() => verifyCredentials(token, tokens)).toThrow(expect.objectContaining({ message: expect.stringMatching(/expired/), extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }));
  });

  it('never accepts, under another key, a token that verified under one', () => {
    const issuing = config('a-secret-of-thirty-two-characters!!');
    const other = config('another-secret-of-thirty-two-chars!');
    const token = signAccessToken(member, issuing, 60);
    verifyCredentials(token, issuing);
    expect(() => verifyCredentials(token, other)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }));
  });

  it('hands out credentials no caller can change for the next request', () => {
    const tokens = config('a-secret-of-thirty-two-characters!!');
    const { user } = verifyCredentials(signAccessToken(member, tokens, 60), tokens);
    expect(() => Object.assign(user, { role: 'ADMIN' })).toThrow(TypeError);
  });
});
