import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogDestination } from '@ott/kit';
import { errorCodes, graphql, logCapture, startPrivateRedis, testAccessToken, type GraphQLResponse, type RequestOptions } from '@ott/kit/testing';
import { start as startGateway, type GatewayService } from '@ott/gateway';
import { startStack, type Stack } from './support/stack';

const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { accessToken } }`;
const LOGIN = `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`;
const PASSWORD = 'the right password';
const PING = `{ __typename }`;

const member = () => testAccessToken({ id: new Types.ObjectId().toHexString(), role: 'USER' });
const from = (ip: string, options: RequestOptions = {}): RequestOptions => ({ ...options, headers: { ...options.headers, 'x-forwarded-for': ip } });

// One stack (users trusts the gateway on loopback, as deployed) and gateways of different
// settings over it; each gateway with a key prefix of its own keeps its budgets apart.
let stack: Stack;
const gateways: GatewayService[] = [];

async function gatewayWith(label: string, env: NodeJS.ProcessEnv, logDestination?: LogDestination) {
  const gatewayEnv = { ...stack.gatewayEnv, REDIS_KEY_PREFIX: `${stack.gatewayEnv.REDIS_KEY_PREFIX}${label}:`, ...env };
  const gateway = await startGateway(gatewayEnv, stack.supergraphSdl, logDestination);
  gateways.push(gateway);
  return (query: string, variables: Record<string, unknown> = {}, options: RequestOptions = {}) => graphql(gateway.url, query, variables, options);
}
type Client = Awaited<ReturnType<typeof gatewayWith>>;

beforeAll(async () => {
  stack = await startStack('limits', ['users'], { LOGIN_FAILURES_PER_ACCOUNT_AND_IP: '3' });
});
afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.close()));
  await stack?.close();
});

/** Spends `times` requests of a budget, each answered. */
async function spend(client: Client, times: number, options: (i: number) => RequestOptions) {
  for (let i = 0; i < times; i++) {
    const response = await client(PING, {}, options(i));
    expect(response.status, `request ${i + 1}`).toBe(200);
  }
}

function expectTooManyRequests(response: GraphQLResponse<unknown>) {
  expect(response.status).toBe(429);
  expect(errorCodes(response)).toEqual(['RATE_LIMITED']);
  const wait = response.errors![0]!.extensions!.retryAfterSeconds;
  expect(Number.isInteger(wait)).toBe(true);
  expect(wait).toBeGreaterThanOrEqual(1);
  expect(response.headers.get('retry-after')).toBe(String(wait));
  expect(response.errors![0]!.message).toMatch(/try again in \d+ seconds?\.$/);
  return wait as number;
}

let registered = 0;
async function account(client: Client, options: RequestOptions = {}) {
  registered += 1;
  const email = `budget${registered}@example.test`;
  const response = await client(REGISTER, { input: { email, password: PASSWORD, displayName: `Budget ${registered}` } }, options);
  expect(response.errors).toBeUndefined();
  return email;
}

describe('behind a proxy the gateway trusts (TRUST_PROXY=loopback)', () => {
  let proxied: Client;
  beforeAll(async () => {
    proxied = await gatewayWith('proxied', {
      TRUST_PROXY: 'loopback',
      GATEWAY_REQUESTS_PER_MINUTE_MEMBER: '5',
      GATEWAY_REQUESTS_PER_MINUTE_ANONYMOUS: '5',
    });
  });

  it('refuses a member past their budget with 429, Retry-After and retryAfterSeconds, wherever they call from, and not another member at the same address', async () => {
    const [alice, bob] = [member(), member()];
    await spend(proxied, 5, (i) => from(`198.51.100.${i + 1}`, { token: alice }));
    const wait = expectTooManyRequests(await proxied(PING, {}, from('198.51.100.9', { token: alice })));
    expect(wait).toBeLessThanOrEqual(60);
    expect((await proxied(PING, {}, from('198.51.100.9', { token: bob }))).status).toBe(200);
  });

  it('refuses an anonymous address past its budget, and not another address', async () => {
    await spend(proxied, 5, () => from('203.0.113.50'));
    const refused = await proxied(PING, {}, from('203.0.113.50'));
    expectTooManyRequests(refused);
    expect(refused.data ?? null).toBeNull();
    expect((await proxied(PING, {}, from('203.0.113.51'))).status).toBe(200);
  });

  it('charges a request with an invalid token to its address', async () => {
    for (let i = 0; i < 5; i++) expect((await proxied(PING, {}, from('203.0.113.60', { token: 'not.a.token' }))).status).toBe(401);
    expectTooManyRequests(await proxied(PING, {}, from('203.0.113.60', { token: 'not.a.token' })));
  });

  it('forwards the client’s address, so users counts failed sign-ins per client, and answers its refusal with 429 and Retry-After', async () => {
    const email = await account(proxied, from('203.0.113.70'));
    for (let i = 0; i < 3; i++) {
      expect(errorCodes(await proxied(LOGIN, { email, password: `guess ${i}` }, from('203.0.113.71')))).toEqual(['INVALID_CREDENTIALS']);
    }
    expectTooManyRequests(await proxied(LOGIN, { email, password: PASSWORD }, from('203.0.113.71')));
    const elsewhere = await proxied(LOGIN, { email, password: PASSWORD }, from('203.0.113.72'));
    expect(elsewhere.errors).toBeUndefined();
    expect(elsewhere.headers.get('retry-after')).toBeNull();
  });
});

describe('reached directly by clients (TRUST_PROXY unset)', () => {
  it('ignores a client’s own X-Forwarded-For: the budget counts the socket’s address', async () => {
    const direct = await gatewayWith('direct', { GATEWAY_REQUESTS_PER_MINUTE_ANONYMOUS: '3' });
    await spend(direct, 3, (i) => from(`198.51.100.${10 + i}`));
    expectTooManyRequests(await direct(PING, {}, from('198.51.100.20')));
  });

  it('forwards the socket’s address to users, not the client’s own X-Forwarded-For', async () => {
    const direct: Client = (query, variables, options) => stack.query(query, variables, options);
    const email = await account(direct);
    for (let i = 0; i < 3; i++) {
      expect(errorCodes(await direct(LOGIN, { email, password: `guess ${i}` }, from(`198.51.100.${31 + i}`)))).toEqual(['INVALID_CREDENTIALS']);
    }
    expectTooManyRequests(await direct(LOGIN, { email, password: PASSWORD }, from('198.51.100.40')));
  });
});

describe('the gateway while its Redis is down', () => {
  let redisServer: Awaited<ReturnType<typeof startPrivateRedis>>;
  let outage: Client;
  const logs = logCapture();

  beforeAll(async () => {
    redisServer = await startPrivateRedis();
    outage = await gatewayWith('outage', { REDIS_URL: redisServer.url, GATEWAY_REQUESTS_PER_MINUTE_ANONYMOUS: '4', LOG_LEVEL: 'warn' }, logs.destination);
  });
  afterAll(() => redisServer?.stop());

  it('answers requests, counting the budget in its own memory, and logs one warning', async () => {
    await redisServer.stop();
    const email = await account(outage);
    expect((await outage(LOGIN, { email, password: PASSWORD })).errors).toBeUndefined();
    await spend(outage, 2, () => ({}));
    expectTooManyRequests(await outage(PING));
    expect(logs.messages('rate limits unavailable: counting in this process only')).toHaveLength(1);
  });
});
