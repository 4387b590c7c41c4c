import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, createLogger, createRedis, type Service, type RedisClient } from '@ott/kit';
import { graphql, startPrivateRedis, testAccessToken, testEnv, uniqueTag } from '@ott/kit/testing';
import { catalogConfig } from '../src/config';
import { start } from '../src/index';

let redisServer: Awaited<ReturnType<typeof startPrivateRedis>>;
let catalog: Service;
let reader: RedisClient;
let stream: string;
const admin = testAccessToken({ id: new Types.ObjectId().toHexString(), role: 'ADMIN' });

beforeAll(async () => {
  redisServer = await startPrivateRedis();
  const env = testEnv(uniqueTag('catalog_outage'), { REDIS_URL: redisServer.url });
  stream = catalogConfig(env).contentDeletedStream;
  catalog = await start(env);
  reader = createRedis('catalog-outage-test', { url: redisServer.url, keyPrefix: '' }, createLogger('catalog-outage-test', 'silent'));
  await connectRedis(reader);
});
afterAll(async () => {
  reader?.disconnect();
  await catalog?.close();
  await redisServer?.stop();
});

async function announcements(contentId: string): Promise<number> {
  const entries = await reader.xrange(stream, '-', '+').catch(() => []);
  return entries.filter(([, fields]) => fields[fields.indexOf('contentId') + 1] === contentId).length;
}

describe('catalog while Redis is down', () => {
  it('announces a removal Redis refused as soon as Redis is back, without a restart, and only once', async () => {
    const created = await graphql<{ createMovie: { id: string } }>(
      catalog.url,
      `
        mutation ($input: MovieInput!) {
          createMovie(input: $input) {
            id
          }
        }
      `,
      { input: { title: 'Outage', genreIds: [] } },
      { token: admin },
    );
    expect(created.errors).toBeUndefined();
    const id = created.data!.createMovie.id;

    await redisServer.stop();
    const removed = await graphql(
      catalog.url,
      `
        mutation ($id: ID!) {
          deleteContent(id: $id)
        }
      `,
      { id },
      { token: admin },
    );
    expect(removed).toMatchObject({ data: { deleteContent: true } });

    // Nothing is kept on disk: the stream comes back empty, and only catalog can fill it again.
    redisServer = await startPrivateRedis(redisServer.port);
    const deadline = Date.now() + 15_000;
    while ((await announcements(id)) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await announcements(id)).toBe(1);
    await new Promise((r) => setTimeout(r, 500));
    expect(await announcements(id)).toBe(1);
  });
});
