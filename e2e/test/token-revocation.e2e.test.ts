import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenStampKey, type Service } from '@ott/kit';
import { errorCodes, graphql, startPrivateRedis } from '@ott/kit/testing';
import { start as startGateway } from '@ott/gateway';
import { start as startUsers } from '@ott/users';
import { liveClient } from './support/live';
import { eventually } from './support/playback';
import { startStack, type Stack } from './support/stack';

const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { accessToken refreshToken user { id } } }`;
const LOGIN = `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken refreshToken } }`;
const LOGOUT = `mutation ($refreshToken: String!) { logout(refreshToken: $refreshToken) }`;
const ME = `{ me { id role } }`;
const PASSWORD = 'a long enough password';

interface Tokens {
  accessToken: string;
  refreshToken: string;
}

describe('access tokens end with what they stand for', () => {
  let stack: Stack;
  const extraUsers: Service[] = [];

  beforeAll(async () => {
    stack = await startStack('token_stamps', ['users']);
  });
  afterAll(async () => {
    await Promise.all(extraUsers.map((service) => service.close()));
    await stack?.close();
  });

  async function register(): Promise<Tokens & { email: string; id: string }> {
    const email = `stamp-${randomUUID().slice(0, 8)}@example.test`;
    const response = await stack.query<{ register: Tokens & { user: { id: string } } }>(REGISTER, {
      input: { email, password: PASSWORD, displayName: 'Stamped' },
    });
    expect(response.errors).toBeUndefined();
    return { ...response.data!.register, email, id: response.data!.register.user.id };
  }
  const me = (token: string) => stack.query<{ me: { id: string; role: string } }>(ME, {}, { token });

  it('refuses the access token after logout, through the gateway and at the subgraph, and accepts the next sign-in at once', async () => {
    const member = await register();
    const other = await stack.query<{ login: Tokens }>(LOGIN, { email: member.email, password: PASSWORD });
    expect((await me(member.accessToken)).data?.me.id).toBe(member.id);

    const loggedOut = await stack.query<{ logout: boolean }>(LOGOUT, { refreshToken: member.refreshToken });
    expect(loggedOut.data?.logout).toBe(true);

    const refused = await me(member.accessToken);
    expect(errorCodes(refused)).toEqual(['UNAUTHENTICATED']);
    expect(refused.status).toBe(401);
    expect(refused.data ?? null).toBeNull();
    const direct = await graphql(stack.subgraphUrls.users!, ME, {}, { token: member.accessToken });
    expect(errorCodes(direct)).toEqual(['UNAUTHENTICATED']);
    const socket = liveClient(stack.gatewayUrl, { authorization: `Bearer ${member.accessToken}` });
    expect(await socket.closed()).toEqual({ code: 4401, reason: expect.stringMatching(/revoked/) });
    await socket.dispose();
    // Every access token issued before the logout ends, on every device (a stamp is per member)…
    expect(errorCodes(await me(other.data!.login.accessToken))).toEqual(['UNAUTHENTICATED']);

    // …while a sign-in right after it, within the same second, is accepted.
    const again = await stack.query<{ login: Tokens }>(LOGIN, { email: member.email, password: PASSWORD });
    expect(again.errors).toBeUndefined();
    expect((await me(again.data!.login.accessToken)).data?.me).toEqual({ id: member.id, role: 'USER' });
  });

  it('closes a subscription connection opened before the logout, at once, and keeps one opened after', async () => {
    const member = await register();
    const connected = (socket: ReturnType<typeof liveClient>) => new Promise<void>((resolve) => socket.client.on('connected', () => resolve()));
    const before = liveClient(stack.gatewayUrl, { authorization: `Bearer ${member.accessToken}` });
    await connected(before);

    expect((await stack.query<{ logout: boolean }>(LOGOUT, { refreshToken: member.refreshToken })).data?.logout).toBe(true);
    expect(await before.closed()).toEqual({ code: 4401, reason: expect.stringMatching(/revoked/) });
    await before.dispose();

    const again = await stack.query<{ login: Tokens }>(LOGIN, { email: member.email, password: PASSWORD });
    const after = liveClient(stack.gatewayUrl, { authorization: `Bearer ${again.data!.login.accessToken}` });
    await connected(after);
    // A later stamp of another member's ends nothing here.
    const stranger = await register();
    await stack.query(LOGOUT, { refreshToken: stranger.refreshToken });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(after.closes).toEqual([]);
    await after.dispose();
  });

  it('refuses the token that carries the old role once the role changed', async () => {
    const member = await register();
    expect((await me(member.accessToken)).data?.me.role).toBe('USER');

    // A users instance configured to make this member its administrator promotes the account at start.
    extraUsers.push(await startUsers({ ...stack.subgraphEnvs.users, PORT: '0', ADMIN_EMAIL: member.email, ADMIN_PASSWORD: PASSWORD }));

    expect(errorCodes(await me(member.accessToken))).toEqual(['UNAUTHENTICATED']);
    const again = await stack.query<{ login: Tokens }>(LOGIN, { email: member.email, password: PASSWORD });
    expect(again.errors).toBeUndefined();
    expect((await me(again.data!.login.accessToken)).data?.me).toEqual({ id: member.id, role: 'ADMIN' });
  });
});

describe('revoked tokens after Redis lost its data', () => {
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
  let stack: Stack;
  let freshGateway: Service | undefined;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    stack = await startStack('token_stamps_lost', ['users'], { REDIS_URL: redis.url });
  });
  afterAll(async () => {
    await freshGateway?.close();
    await stack?.close();
    await redis?.stop();
  });

  it('stay refused: users announces the stamps in force again when its Redis is back, and a gateway started since refuses them', async () => {
    const email = `lost-${randomUUID().slice(0, 8)}@example.test`;
    const registered = await stack.query<{ register: Tokens & { user: { id: string } } }>(REGISTER, {
      input: { email, password: PASSWORD, displayName: 'Lost' },
    });
    expect(registered.errors).toBeUndefined();
    const { accessToken, refreshToken, user } = registered.data!.register;
    expect((await stack.query<{ logout: boolean }>(LOGOUT, { refreshToken })).data?.logout).toBe(true);

    // Restarted without persistence: every stamp Redis held is gone.
    await redis.stop();
    redis = await startPrivateRedis(redis.port);
    const client = new Redis(redis.url, { lazyConnect: true });
    try {
      await client.connect();
      const key = tokenStampKey(stack.gatewayEnv.REDIS_KEY_PREFIX!, user.id);
      await eventually(async () => expect(await client.get(key)).not.toBeNull(), 20_000);
    } finally {
      client.disconnect();
    }

    // A gateway that never heard of the logout (a new replica) refuses the token.
    const gateway = await startGateway(stack.gatewayEnv, stack.supergraphSdl);
    freshGateway = gateway;
    const refused = await graphql(gateway.url, ME, {}, { token: accessToken });
    expect(errorCodes(refused)).toEqual(['UNAUTHENTICATED']);
  });
});
