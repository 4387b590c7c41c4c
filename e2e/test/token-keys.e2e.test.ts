import { createHmac, createPublicKey, randomUUID, verify as verifySignature, type JsonWebKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTokenKeyPair, keyId, signAccessToken, signingTokenConfig, type Service } from '@ott/kit';
import { errorCodes, graphql, TEST_TOKEN_KEYS, testAccessToken } from '@ott/kit/testing';
import { start as startGateway } from '@ott/gateway';
import { JWKS_PATH } from '@ott/gateway/jwks';
import { SUBGRAPHS, subgraphModule } from '@ott/gateway/subgraphs';
import { startStack, type Stack } from './support/stack';

// Users alone signs access tokens (ES256, its private key); the gateway publishes the public
// keys at /.well-known/jwks.json, and every service verifies with public keys only.

const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }`;
const LOGIN = `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`;
const ME = `{ me { id } }`;
const PASSWORD = 'a long enough password';
const NAMES = { JWT_ISSUER: 'ott-users', JWT_AUDIENCE: 'ott-supergraph' };
const member = { id: '000000000000000000000001', role: 'ADMIN' as const };

interface Jwks {
  keys: (JsonWebKey & { kid: string })[];
}

const header = (token: string) => jwt.decode(token, { complete: true })!.header;

/** An HS256 token made by hand (jsonwebtoken will not use a PEM key as an HMAC secret), under the listed kid: an algorithm-confusion attempt. */
function hs256(secret: string, kid: string): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signed = `${part({ alg: 'HS256', typ: 'JWT', kid })}.${part({ sub: member.id, role: 'ADMIN', iat: now, exp: now + 600, iss: NAMES.JWT_ISSUER, aud: NAMES.JWT_AUDIENCE })}`;
  return `${signed}.${createHmac('sha256', secret).update(signed).digest('base64url')}`;
}

/** Checks a token's ES256 signature against a key set with node:crypto alone, as any JWKS consumer would. */
function verifiesAgainst(token: string, set: Jwks): boolean {
  const [head, payload, signature] = token.split('.');
  const jwk = set.keys.find((key) => key.kid === header(token).kid);
  if (!jwk) return false;
  const key = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, format: 'jwk' });
  return verifySignature('sha256', Buffer.from(`${head}.${payload}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature!, 'base64url'));
}

async function fetchJwks(gatewayUrl: string) {
  const response = await fetch(new URL(JWKS_PATH, gatewayUrl));
  return { response, body: (await response.json()) as Jwks };
}

let stack: Stack;
const extra: Service[] = [];
beforeAll(async () => {
  stack = await startStack('token_keys', ['users', 'catalog', 'my-list', 'ratings', 'billing', 'streaming']);
}, 120_000);
afterAll(async () => {
  await Promise.all(extra.map((service) => service.close()));
  await stack?.close();
});

async function register(url = stack.gatewayUrl) {
  const email = `keys-${randomUUID().slice(0, 8)}@example.test`;
  const response = await graphql<{ register: { accessToken: string; user: { id: string } } }>(url, REGISTER, {
    input: { email, password: PASSWORD, displayName: 'Keyed' },
  });
  expect(response.errors).toBeUndefined();
  return { email, ...response.data!.register };
}

describe('every service', () => {
  it('takes a token users signed, and refuses one signed by a key it does not list and HS256 under any secret', async () => {
    const listedKid = keyId(createPublicKey(TEST_TOKEN_KEYS.publicKey));
    const strangerTokens = signingTokenConfig({ NODE_ENV: 'test', JWT_PRIVATE_KEYS: generateTokenKeyPair().privateKey, ...NAMES });
    const forged = {
      'unlisted key': signAccessToken(member, strangerTokens, 600),
      'HS256, a random secret': hs256(randomUUID() + randomUUID(), listedKid),
      'HS256, the public key as secret': hs256(TEST_TOKEN_KEYS.publicKey, listedKid),
    };
    const services = { gateway: stack.gatewayUrl, ...stack.subgraphUrls };
    expect(Object.keys(services).sort()).toEqual(['gateway', ...SUBGRAPHS.map((s) => s.name)].sort());
    for (const [name, url] of Object.entries(services)) {
      const accepted = await graphql(url, '{ __typename }', {}, { token: testAccessToken(member) });
      expect(accepted.errors, name).toBeUndefined();
      for (const [kind, token] of Object.entries(forged)) {
        expect(errorCodes(await graphql(url, '{ __typename }', {}, { token })), `${name}: ${kind}`).toEqual(['UNAUTHENTICATED']);
      }
    }
  });

  it('but users refuses to start with a private key: none of them can mint a token', async () => {
    for (const { name } of SUBGRAPHS.filter((s) => s.name !== 'users')) {
      const { start } = (await import(subgraphModule(name, 'index'))) as { start(env: NodeJS.ProcessEnv): Promise<Service> };
      await expect(start({ ...stack.subgraphEnvs[name], JWT_PRIVATE_KEYS: TEST_TOKEN_KEYS.privateKey }), name).rejects.toThrow(
        /JWT_PRIVATE_KEYS: only the users service signs tokens/,
      );
    }
    await expect(startGateway({ ...stack.gatewayEnv, JWT_PRIVATE_KEYS: TEST_TOKEN_KEYS.privateKey }, stack.supergraphSdl)).rejects.toThrow(
      /JWT_PRIVATE_KEYS: only the users service/,
    );
  });

  it('refuses to start in production without its keys', async () => {
    await expect(startGateway({ ...stack.gatewayEnv, NODE_ENV: 'production', JWT_PUBLIC_KEYS: '' }, stack.supergraphSdl)).rejects.toThrow(
      /JWT_PUBLIC_KEYS: is required in production/,
    );
    const { start } = (await import(subgraphModule('users', 'index'))) as { start(env: NodeJS.ProcessEnv): Promise<Service> };
    await expect(start({ ...stack.subgraphEnvs.users, NODE_ENV: 'production', JWT_PRIVATE_KEYS: '' })).rejects.toThrow(
      /JWT_PRIVATE_KEYS: is required in production/,
    );
  });
});

describe('the gateway’s /.well-known/jwks.json', () => {
  it('lists the public keys only, cacheably, and verifies the tokens users issued', async () => {
    const { accessToken } = await register();
    expect(header(accessToken)).toMatchObject({ alg: 'ES256', kid: keyId(createPublicKey(TEST_TOKEN_KEYS.publicKey)) });
    const { response, body } = await fetchJwks(stack.gatewayUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    expect(body.keys).toHaveLength(1);
    for (const key of body.keys) {
      expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    }
    expect(verifiesAgainst(accessToken, body)).toBe(true);
    const [head, payload, signature] = accessToken.split('.');
    const tampered = `${head}.${Buffer.from(JSON.stringify({ ...(jwt.decode(accessToken) as object), role: 'ADMIN' })).toString('base64url')}.${signature}`;
    expect(payload).not.toBe(tampered.split('.')[1]);
    expect(verifiesAgainst(tampered, body)).toBe(false);
  });
});

describe('rotating the token keys', () => {
  // Users alone behind the gateway: every call of `me` goes to the users started here.
  let before: Stack;
  beforeAll(async () => {
    before = await startStack('token_rotation', ['users']);
  });
  afterAll(() => before?.close());

  it('lists the new key first beside the old one, then removes the old: its tokens verify until then, and are refused after', async () => {
    const old = await register(before.gatewayUrl);
    const fresh = generateTokenKeyPair();
    const both = { JWT_PUBLIC_KEYS: fresh.publicKey + TEST_TOKEN_KEYS.publicKey };
    // Users signs with the new key and still verifies the old one's tokens; a gateway lists both.
    const users = await (
      await import(subgraphModule('users', 'index'))
    ).start({ ...before.subgraphEnvs.users, PORT: '0', ...both, JWT_PRIVATE_KEYS: fresh.privateKey + TEST_TOKEN_KEYS.privateKey });
    extra.push(users);
    const rotating = await startGateway({ ...before.gatewayEnv, ...both, USERS_URL: users.url }, before.supergraphSdl);
    extra.push(rotating);

    const signedIn = await graphql<{ login: { accessToken: string } }>(rotating.url, LOGIN, { email: old.email, password: PASSWORD });
    const renewed = signedIn.data!.login.accessToken;
    expect(header(renewed).kid).toBe(keyId(createPublicKey(fresh.publicKey)));
    for (const token of [old.accessToken, renewed]) {
      const me = await graphql<{ me: { id: string } }>(rotating.url, ME, {}, { token });
      expect(me.errors, token === renewed ? 'renewed' : 'old').toBeUndefined();
      expect(me.data?.me.id).toBe(old.user.id);
    }
    const listed = (await fetchJwks(rotating.url)).body;
    expect(listed.keys.map((k) => k.kid)).toEqual([fresh.publicKey, TEST_TOKEN_KEYS.publicKey].map((pem) => keyId(createPublicKey(pem))));
    expect(verifiesAgainst(renewed, listed) && verifiesAgainst(old.accessToken, listed)).toBe(true);

    // The old key removed everywhere: its tokens are refused, the new key's still taken.
    const after = await startGateway({ ...before.gatewayEnv, JWT_PUBLIC_KEYS: fresh.publicKey, USERS_URL: users.url }, before.supergraphSdl);
    extra.push(after);
    expect(errorCodes(await graphql(after.url, ME, {}, { token: old.accessToken }))).toEqual(['UNAUTHENTICATED']);
    expect((await graphql<{ me: { id: string } }>(after.url, ME, {}, { token: renewed })).data?.me.id).toBe(old.user.id);
    expect(verifiesAgainst(old.accessToken, (await fetchJwks(after.url)).body)).toBe(false);
  });
});
