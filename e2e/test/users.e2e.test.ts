import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, TEST_TOKENS } from '@ott/kit/testing';
import { startStack, type Stack } from './support/stack';

const REGISTER = `mutation ($input: RegisterInput!) {
  register(input: $input) { accessToken refreshToken expiresIn user { id email displayName role } }
}`;
const LOGIN = `mutation ($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken refreshToken user { id email } }
}`;
const REFRESH = `mutation ($token: String!) { refreshToken(refreshToken: $token) { accessToken refreshToken user { id } } }`;
const LOGOUT = `mutation ($token: String!) { logout(refreshToken: $token) }`;
const ME = `{ me { id email displayName role favoriteGenres { id } createdAt } }`;

interface Auth {
  accessToken: string;
  refreshToken: string;
  user: { id: string; email: string };
}

const ADMIN = { email: 'admin@example.test', password: 'admin-password-1' };
let stack: Stack;
let counter = 0;

async function register(overrides: Partial<{ email: string; password: string; displayName: string }> = {}) {
  counter += 1;
  const input = { email: `member${counter}@example.test`, password: 'correct horse battery', displayName: `Member ${counter}`, ...overrides };
  const response = await stack.query<{ register: Auth }>(REGISTER, { input });
  return { input, response, auth: response.data?.register as Auth };
}

beforeAll(async () => {
  // A low depth limit lets the shallow users schema exceed it.
  stack = await startStack('users_e2e', ['users'], { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, MAX_QUERY_DEPTH: '3' });
});
afterAll(() => stack?.close());

describe('signing up and in through the gateway', () => {
  it('registers, logs in and reads me with the access token', async () => {
    const { input, response } = await register({ email: '  New.Member@Example.TEST ' });
    expect(response.errors).toBeUndefined();
    expect(response.data?.register).toMatchObject({ expiresIn: 900, user: { email: 'new.member@example.test', role: 'USER' } });

    const login = await stack.query<{ login: Auth }>(LOGIN, { email: 'NEW.member@example.test', password: input.password });
    expect(login.errors).toBeUndefined();
    const me = await stack.query<{ me: { id: string; email: string; displayName: string } }>(ME, {}, { token: login.data!.login.accessToken });
    expect(me.errors).toBeUndefined();
    expect(me.data?.me).toMatchObject({ id: login.data!.login.user.id, email: 'new.member@example.test', displayName: input.displayName });
  });

  it('answers me with null when signed out', async () => {
    const me = await stack.query(ME);
    expect(me.errors).toBeUndefined();
    expect(me.data).toEqual({ me: null });
  });

  it('updates the display name of the signed-in user only', async () => {
    const { auth } = await register();
    const update = await stack.query<{ updateProfile: { displayName: string; favoriteGenres: { id: string }[] } }>(
      `mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) { displayName favoriteGenres { id } } }`,
      { input: { displayName: '  Renamed  ' } },
      { token: auth.accessToken },
    );
    expect(update.errors).toBeUndefined();
    expect(update.data?.updateProfile).toEqual({ displayName: 'Renamed', favoriteGenres: [] });

    const signedOut = await stack.query(`mutation { updateProfile(input: { displayName: "x" }) { id } }`);
    expect(errorCodes(signedOut)).toEqual(['UNAUTHENTICATED']);
  });

  it('rejects an empty display name on update with BAD_USER_INPUT naming the field', async () => {
    const { auth } = await register();
    const response = await stack.query(`mutation { updateProfile(input: { displayName: "   " }) { id } }`, {}, { token: auth.accessToken });
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.message).toMatch(/^displayName:/);
  });
});

describe('refresh tokens', () => {
  it('rotates: the new pair works and the old refresh token does not', async () => {
    const { auth } = await register();
    const first = await stack.query<{ refreshToken: Auth }>(REFRESH, { token: auth.refreshToken });
    expect(first.errors).toBeUndefined();
    const rotated = first.data!.refreshToken;
    expect(rotated.refreshToken).not.toEqual(auth.refreshToken);
    expect(rotated.user.id).toEqual(auth.user.id);

    const me = await stack.query<{ me: { id: string } }>(ME, {}, { token: rotated.accessToken });
    expect(me.data?.me.id).toEqual(auth.user.id);

    const second = await stack.query<{ refreshToken: Auth }>(REFRESH, { token: rotated.refreshToken });
    expect(second.errors).toBeUndefined();
  });

  it('revokes the whole family when a used refresh token is presented again', async () => {
    const { auth } = await register();
    const rotated = (await stack.query<{ refreshToken: Auth }>(REFRESH, { token: auth.refreshToken })).data!.refreshToken;

    const reuse = await stack.query(REFRESH, { token: auth.refreshToken });
    expect(errorCodes(reuse)).toEqual(['UNAUTHENTICATED']);

    const afterTheft = await stack.query(REFRESH, { token: rotated.refreshToken });
    expect(errorCodes(afterTheft)).toEqual(['UNAUTHENTICATED']);
  });

  it('lets only one of two racing uses of the same refresh token succeed', async () => {
    const { auth } = await register();
    const results = await Promise.all([1, 2, 3].map(() => stack.query(REFRESH, { token: auth.refreshToken })));
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
  });

  it('logs out: the session’s refresh token stops working, and unknown tokens answer false', async () => {
    const { auth } = await register();
    const logout = await stack.query(LOGOUT, { token: auth.refreshToken });
    expect(logout.data).toEqual({ logout: true });
    expect(errorCodes(await stack.query(REFRESH, { token: auth.refreshToken }))).toEqual(['UNAUTHENTICATED']);
    expect((await stack.query(LOGOUT, { token: 'not-a-token' })).data).toEqual({ logout: false });
  });

  it('keeps other sessions of the same user signed in after one logs out', async () => {
    const { input, auth } = await register();
    const other = (await stack.query<{ login: Auth }>(LOGIN, { email: input.email, password: input.password })).data!.login;
    await stack.query(LOGOUT, { token: auth.refreshToken });
    expect((await stack.query(REFRESH, { token: other.refreshToken })).errors).toBeUndefined();
  });
});

describe('bad input', () => {
  it('answers EMAIL_TAKEN for a second account with the same email, whatever its case', async () => {
    const { input } = await register();
    const again = await register({ email: input.email.toUpperCase() });
    expect(errorCodes(again.response)).toEqual(['EMAIL_TAKEN']);
  });

  it('stores exactly one account when registrations with one email race', async () => {
    const email = `race-${Date.now()}@example.test`;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => stack.query(REGISTER, { input: { email, password: 'racing-password', displayName: `Racer ${i}` } })),
    );
    const codes = results.map((r) => (r.errors ? errorCodes(r)[0] : 'OK'));
    expect(codes.filter((c) => c === 'OK')).toHaveLength(1);
    expect(codes.filter((c) => c === 'EMAIL_TAKEN')).toHaveLength(7);
  });

  it('gives the same INVALID_CREDENTIALS for a wrong password and an unknown email', async () => {
    const { input } = await register();
    const wrongPassword = await stack.query(LOGIN, { email: input.email, password: 'not the password' });
    const unknownEmail = await stack.query(LOGIN, { email: 'nobody@example.test', password: input.password });
    const malformedEmail = await stack.query(LOGIN, { email: 'not-an-email', password: input.password });
    for (const response of [wrongPassword, unknownEmail, malformedEmail]) {
      expect(errorCodes(response)).toEqual(['INVALID_CREDENTIALS']);
      expect(response.errors?.[0]?.message).toEqual(wrongPassword.errors?.[0]?.message);
    }
  });

  it('throttles password guessing for one email from one client with RATE_LIMITED and HTTP 429, even for the right password, and not for others', async () => {
    const { input } = await register();
    const other = await register();
    for (let attempt = 0; attempt < 10; attempt++) {
      expect(errorCodes(await stack.query(LOGIN, { email: input.email, password: `guess-${attempt}` }))).toEqual(['INVALID_CREDENTIALS']);
    }
    const blocked = await stack.query(LOGIN, { email: input.email, password: input.password });
    expect(errorCodes(blocked)).toEqual(['RATE_LIMITED']);
    expect(blocked.errors?.[0]?.message).toMatch(/try again in \d+ seconds/);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBe(String(blocked.errors?.[0]?.extensions?.retryAfterSeconds));
    expect((await stack.query(LOGIN, { email: other.input.email, password: other.input.password })).errors).toBeUndefined();
  });

  it('rejects a malformed email and a short password with BAD_USER_INPUT and stores nothing', async () => {
    const badEmail = await register({ email: 'no-at-sign.example.test' });
    expect(errorCodes(badEmail.response)).toEqual(['BAD_USER_INPUT']);
    expect(badEmail.response.errors?.[0]?.message).toMatch(/^email:/);

    const shortPassword = await register({ email: 'short@example.test', password: 'short' });
    expect(errorCodes(shortPassword.response)).toEqual(['BAD_USER_INPUT']);
    expect(shortPassword.response.errors?.[0]?.message).toMatch(/^password:/);
    expect(errorCodes(await stack.query(LOGIN, { email: 'short@example.test', password: 'short' }))).toEqual(['INVALID_CREDENTIALS']);
  });

  it('rejects tampered, expired and wrongly signed tokens with UNAUTHENTICATED instead of going anonymous', async () => {
    const { auth } = await register();
    const [header, payload, signature] = auth.accessToken.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), role: 'ADMIN' })).toString('base64url');
    const claims = { role: 'USER', sub: auth.user.id, iss: 'ott-users', aud: 'ott-supergraph' };
    const tokens = {
      tampered: `${header}.${forged}.${signature}`,
      expired: jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 }, TEST_TOKENS.signing.key, {
        algorithm: 'ES256',
        keyid: TEST_TOKENS.signing.kid,
      }),
      wronglySigned: jwt.sign(claims, 'another-secret-of-sufficient-length-for-hs256', { expiresIn: 60 }),
      unsigned: jwt.sign(claims, '', { algorithm: 'none' }),
      garbage: 'not.a.jwt',
    };
    for (const [kind, token] of Object.entries(tokens)) {
      const response = await stack.query(ME, {}, { token });
      expect(errorCodes(response), kind).toEqual(['UNAUTHENTICATED']);
      expect(response.status, kind).toBe(401);
      expect(response.data ?? null, kind).toBeNull();
    }
    const expiredMessage = (await stack.query(ME, {}, { token: tokens.expired })).errors?.[0]?.message;
    expect(expiredMessage).toMatch(/expired/);
  });

  it('forbids user(id) to a member and allows it to the administrator created at start', async () => {
    const { auth } = await register();
    const USER = `query ($id: ID!) { user(id: $id) { id email } }`;
    expect(errorCodes(await stack.query(USER, { id: auth.user.id }, { token: auth.accessToken }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await stack.query(USER, { id: auth.user.id }))).toEqual(['UNAUTHENTICATED']);

    const admin = (await stack.query<{ login: Auth }>(LOGIN, ADMIN)).data!.login;
    const asAdmin = await stack.query<{ user: { email: string } }>(USER, { id: auth.user.id }, { token: admin.accessToken });
    expect(asAdmin.errors).toBeUndefined();
    expect(asAdmin.data?.user.email).toEqual(auth.user.email);
    const me = await stack.query<{ me: { role: string } }>(ME, {}, { token: admin.accessToken });
    expect(me.data?.me.role).toEqual('ADMIN');
  });

  it('rejects operations nested deeper than the limit, fragments included, but not introspection', async () => {
    expect((await stack.query(`{ me { favoriteGenres { id } } }`)).errors).toBeUndefined();
    const tooDeep = await stack.query(
      `mutation { login(email: "a@b.cd", password: "whatever1") { ...U } } fragment U on AuthPayload { user { favoriteGenres { id } } }`,
    );
    expect(tooDeep.status).toBe(400);
    expect(errorCodes(tooDeep)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(tooDeep.errors?.[0]).toMatchObject({
      message: 'The operation is nested 4 levels deep; the limit is 3.',
      extensions: { limit: 'depth', max: 3, found: 4 },
    });
    const introspection = await stack.query(`{ __schema { types { name fields { name type { name ofType { name ofType { name } } } } } } }`);
    expect(introspection.errors).toBeUndefined();
  });
});

describe('the gateway as an HTTP service', () => {
  it('returns the request id it was given and makes one up otherwise', async () => {
    const given = await stack.query(ME, {}, { headers: { 'x-request-id': 'req-12345' } });
    expect(given.headers.get('x-request-id')).toEqual('req-12345');
    const made = await stack.query(ME);
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers live and ready health checks', async () => {
    const base = new URL(stack.gatewayUrl);
    const live = await fetch(new URL('/health/live', base));
    expect(live.status).toBe(200);
    const ready = await fetch(new URL('/health/ready', base));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { supergraph: 'ok', redis: 'ok', playbackEvents: 'ok' } });
    const usersReady = await fetch(new URL('/health/ready', stack.subgraphUrls.users));
    expect(await usersReady.json()).toEqual({ status: 'ok', checks: { mongodb: 'ok', redis: 'ok' } });
  });

  it('refuses a GET mutation-less simple request without a preflight header (CSRF prevention)', async () => {
    const response = await fetch(`${stack.gatewayUrl}?query=${encodeURIComponent('{ me { id } }')}`);
    expect(response.status).toBe(400);
  });
});
