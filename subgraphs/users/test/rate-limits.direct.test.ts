import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '@ott/kit';
import { errorCodes, graphql, logCapture, startPrivateRedis, uniqueTag, usersTestEnv, type RequestOptions } from '@ott/kit/testing';
import { start } from '../src/index';
import { expectRateLimited, LIMITS, PASSWORD } from './support';

const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { accessToken } }`;
const LOGIN = `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`;

// One users service per process: typegoose caches its models, bound to the first connection.
let redisServer: Awaited<ReturnType<typeof startPrivateRedis>>;
/** Reached directly, trusting no proxy, on a Redis of its own that the test stops. */
let users: Service;
const logs = logCapture();

beforeAll(async () => {
  redisServer = await startPrivateRedis();
  users = await start(usersTestEnv(uniqueTag('users_direct_limits'), { ...LIMITS, LOG_LEVEL: 'warn', REDIS_URL: redisServer.url }), logs.destination);
});
afterAll(async () => {
  await users?.close();
  await redisServer?.stop();
});

const spoofing = (ip: string): RequestOptions => ({ headers: { 'x-forwarded-for': ip } });
const register = (email: string, ip = '198.51.100.1') =>
  graphql(users.url, REGISTER, { input: { email, password: PASSWORD, displayName: 'Direct' } }, spoofing(ip));
const login = (email: string, password: string, ip = '198.51.100.1') => graphql(users.url, LOGIN, { email, password }, spoofing(ip));

describe('the users subgraph reached directly, with TRUST_PROXY unset', () => {
  it('ignores a client’s own X-Forwarded-For: every guess counts under the socket’s address', async () => {
    const email = 'spoofer-target@example.test';
    expect((await register(email)).errors).toBeUndefined();
    for (let i = 0; i < 3; i++) expect(errorCodes(await login(email, `guess ${i}`, `198.51.100.${100 + i}`))).toEqual(['INVALID_CREDENTIALS']);
    expectRateLimited(await login(email, PASSWORD, '198.51.100.200'), 900);
  });
});

describe('sign-ins and sign-ups while Redis is down', () => {
  it('are answered from this process’s own counts, which still refuse guessing, with one warning logged', async () => {
    await redisServer.stop();
    const email = 'during-outage@example.test';
    expect((await register(email)).errors).toBeUndefined();
    expect((await login(email, PASSWORD)).errors).toBeUndefined();
    for (let i = 0; i < 3; i++) expect(errorCodes(await login(email, `guess ${i}`))).toEqual(['INVALID_CREDENTIALS']);
    expectRateLimited(await login(email, PASSWORD), 900);

    expect(logs.messages('rate limits unavailable: counting in this process only')).toHaveLength(1);
    expect(JSON.stringify(logs.lines)).not.toContain(email);
  });
});
