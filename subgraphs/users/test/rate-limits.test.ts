import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '@ott/kit';
import { errorCodes, graphql, uniqueTag, usersTestEnv, type RequestOptions } from '@ott/kit/testing';
import { expectRateLimited, LIMITS, PASSWORD } from './support';
import { start } from '../src/index';

const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { accessToken } }`;
const LOGIN = `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`;

/** As behind the gateway: users believes the X-Forwarded-For of a loopback peer (here, the test). */
let users: Service;

beforeAll(async () => {
  users = await start(usersTestEnv(uniqueTag('users_limits'), { ...LIMITS, TRUST_PROXY: 'loopback' }));
});
afterAll(() => users?.close());

let accounts = 0;
const from = (ip: string): RequestOptions => ({ headers: { 'x-forwarded-for': ip } });

async function account() {
  accounts += 1;
  const email = `limited${accounts}@example.test`;
  const response = await graphql(
    users.url,
    REGISTER,
    { input: { email, password: PASSWORD, displayName: `Limited ${accounts}` } },
    from(`192.0.2.${accounts}`),
  );
  expect(response.errors).toBeUndefined();
  return email;
}

const login = (email: string, password: string, ip: string) => graphql(users.url, LOGIN, { email, password }, from(ip));

async function fail(email: string, ip: string, times: number) {
  for (let i = 0; i < times; i++) expect(errorCodes(await login(email, `guess ${i}`, ip))).toEqual(['INVALID_CREDENTIALS']);
}

describe('failed sign-ins', () => {
  it('refuses an account from one address after its failures there, even the right password, with retryAfterSeconds', async () => {
    const email = await account();
    await fail(email, '198.51.100.1', 3);
    expectRateLimited(await login(email, PASSWORD, '198.51.100.1'), 900);
  });

  it('does not lock the member out: another address signs in while one keeps guessing, whose refusals count nowhere else', async () => {
    const email = await account();
    await fail(email, '198.51.100.2', 3);
    for (let i = 0; i < 10; i++) expect(errorCodes(await login(email, `more ${i}`, '198.51.100.2'))).toEqual(['RATE_LIMITED']);
    const member = await login(email, PASSWORD, '198.51.100.3');
    expect(member.errors).toBeUndefined();
  });

  it('clears an address’s count for the account when a sign-in from it succeeds', async () => {
    const email = await account();
    await fail(email, '198.51.100.4', 2);
    expect((await login(email, PASSWORD, '198.51.100.4')).errors).toBeUndefined();
    await fail(email, '198.51.100.4', 3);
    expectRateLimited(await login(email, PASSWORD, '198.51.100.4'), 900);
  });

  it('refuses every address once many addresses together reach the looser per-account limit', async () => {
    const email = await account();
    for (const ip of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) await fail(email, ip, 2);
    expectRateLimited(await login(email, PASSWORD, '203.0.113.4'), 900);
  });

  it('refuses one address that tries one password on many accounts, and not other addresses', async () => {
    const emails = Array.from({ length: 9 }, (_, i) => `sprayed${i}@example.test`);
    for (const email of emails.slice(0, 8)) await fail(email, '203.0.113.10', 1);
    expectRateLimited(await login(emails[8]!, 'password1', '203.0.113.10'), 3600);
    expect(errorCodes(await login(emails[8]!, 'password1', '203.0.113.11'))).toEqual(['INVALID_CREDENTIALS']);
  });

  it('lets no more than the limit through when twenty wrong passwords for one account race', async () => {
    const email = await account();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => login(email, `racing ${i}`, '198.51.100.20')));
    const codes = results.map((r) => errorCodes(r)[0]);
    expect(codes.filter((c) => c === 'INVALID_CREDENTIALS')).toHaveLength(3);
    expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(17);
  });
});

describe('sign-ups', () => {
  it('refuses an address past its sign-ups, failed ones included, and not another address', async () => {
    const register = (email: string, ip: string) => graphql(users.url, REGISTER, { input: { email, password: PASSWORD, displayName: 'Signing up' } }, from(ip));
    expect((await register('first-signup@example.test', '198.51.100.30')).errors).toBeUndefined();
    expect(errorCodes(await register('first-signup@example.test', '198.51.100.30'))).toEqual(['EMAIL_TAKEN']);
    expect((await register('second-signup@example.test', '198.51.100.30')).errors).toBeUndefined();
    expectRateLimited(await register('third-signup@example.test', '198.51.100.30'), 3600);
    expect((await register('third-signup@example.test', '198.51.100.31')).errors).toBeUndefined();
  });
});
