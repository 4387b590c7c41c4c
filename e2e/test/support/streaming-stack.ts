import mongoose from 'mongoose';
import { uniqueTag } from '@ott/kit/testing';
import { seedCatalog } from './catalog-fixture';
import { catalogIds } from './playback';
import { startStack } from './stack';

const ADMIN = { email: 'streaming-admin@example.test', password: 'admin-password-1' };

/** What the streaming end-to-end tests share: a stack to play on, its seeded catalogue, an ADMIN, and streaming's database. */
export type StreamingStack = Awaited<ReturnType<typeof startStreamingStack>>;

/**
 * Starts users, catalog, billing and streaming behind a gateway, seeds the catalogue and signs
 * the ADMIN in. Each test file starts its own, under its own label.
 */
export async function startStreamingStack(label: string) {
  /** One prefix for the whole stack, as in a deployment: every service agrees on stream and channel names. */
  const prefix = `t:${uniqueTag(label)}:`;
  const stack = await startStack(label, ['users', 'catalog', 'billing', 'streaming'], {
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    REDIS_KEY_PREFIX: prefix,
    TRENDING_CACHE_TTL_SECONDS: '1',
  });
  try {
    await seedCatalog(stack.subgraphEnvs.catalog!);
    const catalog = await catalogIds(stack);
    const login = await stack.query<{ login: { accessToken: string } }>(
      `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`,
      ADMIN,
    );
    const env = stack.subgraphEnvs.streaming!;
    const db = await mongoose.createConnection(env.MONGODB_URL!, { dbName: env.MONGODB_DB }).asPromise();
    return {
      stack,
      prefix,
      catalog,
      adminToken: login.data!.login.accessToken,
      /** streaming's own database. */
      db,
      /** A member's playback records. */
      sessionsOf: (userId: string) => db.collection('sessions').find({ userId }).toArray(),
      /** The streams a member holds now. */
      streamsOf: (userId: string) => db.collection('live_sessions').find({ userId }).toArray(),
      close: async () => {
        await db.close();
        await stack.close();
      },
    };
  } catch (error) {
    await stack.close();
    throw error;
  }
}
