import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '@ott/kit';
import { errorCodes, graphql, logCapture, startPrivateRedis, testEnv, uniqueTag, type GraphQLResponse, type RequestOptions } from '@ott/kit/testing';
import { start } from '../src/index';

const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { accessToken } }`;
const LOGIN = `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`;
const PASSWORD = 'the right password';

const LIMITS = {
  LOGIN_FAILURES_PER_ACCOUNT_AND_IP: '3',
  LOGIN_FAILURES_PER_ACCOUNT: '6',
  LOGIN_FAILURES_PER_IP: '8',
  REGISTRATIONS_PER_IP: '3',
};

/** As behind the gateway: users believes the X-Forwarded-For of a loopback peer. */
let users: Service;
/** Reached directly, trusting no proxy. */
let direct: Service;

beforeAll(async () => {
  [users, direct] = await Promise.all([
    start(testEnv(uniqueTag('users_limits'), { ...LIMITS, TRUST_PROXY: 'loopback' })),
    start(testEnv(uniqueTag('users_direct_limits'), LIMITS)),
  ]);
});
afterAll(() => Promise.all([users?.close(), direct?.close()]));

let accounts = 0;
const from = (ip: string | undefined): RequestOptions => (ip ? { headers: { 'x-forwarded-for': ip } } : {});

async function account(service: Service = users) {
  accounts += 1;
  const email = `limited${accounts}@example.test`;
  const response = await graphql(service.url, REGISTER, { input: { email, password: PASSWORD, displayName: `Limited ${accounts}` } }, from(`192.0.2.${accounts}`));
  expect(response.errors).toBeUndefined();
  return email;
}

const login = (email: string, password: string, ip?: string, service: Service = users) => graphql(service.url, LOGIN, { email, password }, from(ip));

async function fail(email: string, ip: string | undefined, times: number, service: Service = users) {
  for (let i = 0; i < times; i++) expect(errorCodes(await login(email, `guess ${i}`, ip, service))).toEqual(['INVALID_CREDENTIALS']);
}

function expectRateLimited(response: GraphQLResponse<unknown>, windowSeconds: number) {
  expect(errorCodes(response)).toEqual(['RATE_LIMITED']);
  const wait = response.errors![0]!.extensions!.retryAfterSeconds as number;
  expect(Number.isInteger(wait)).toBe(true);
  expect(wait).toBeGreaterThanOrEqual(1);
  expect(wait).toBeLessThanOrEqual(windowSeconds);
  expect(response.errors![0]!.message).toMatch(new RegExp(`try again in ${wait} seconds?\\.$`));
  // The federation hop stays a GraphQL answer: the gateway wraps a subgraph's non-2xx as its own failure.
  expect(response.status).toBe(200);
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

  it('ignores a client’s own X-Forwarded-For when TRUST_PROXY names no proxy: every guess counts under its socket’s address', async () => {
    const email = await account(direct);
    for (let i = 0; i < 3; i++) expect(errorCodes(await login(email, `guess ${i}`, `198.51.100.${100 + i}`, direct))).toEqual(['INVALID_CREDENTIALS']);
    expectRateLimited(await login(email, PASSWORD, '198.51.100.200', direct), 900);
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

describe('sign-ins and sign-ups while Redis is down', () => {
  let redisServer: Awaited<ReturnType<typeof startPrivateRedis>>;
  let outage: Service;
  const logs = logCapture();

  beforeAll(async () => {
    redisServer = await startPrivateRedis();
    outage = await start(testEnv(uniqueTag('users_outage'), { ...LIMITS, LOG_LEVEL: 'warn', REDIS_URL: redisServer.url }), logs.destination);
  });
  afterAll(async () => {
    await outage?.close();
    await redisServer?.stop();
  });

  it('answers from this process’s own counts, still refusing guesses, and logs one warning', async () => {
    await redisServer.stop();
    const email = 'during-outage@example.test';
    const registered = await graphql(outage.url, REGISTER, { input: { email, password: PASSWORD, displayName: 'Outage' } });
    expect(registered.errors).toBeUndefined();
    expect((await login(email, PASSWORD, undefined, outage)).errors).toBeUndefined();
    await fail(email, undefined, 3, outage);
    expectRateLimited(await login(email, PASSWORD, undefined, outage), 900);

    const warnings = logs.messages('rate limits unavailable: counting in this process only');
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(logs.lines)).not.toContain(email);
  });
});
