import { execute, parse } from 'graphql';
import mongoose, { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, createLogger, createRedis, type RunningServer, type ServiceRequest } from '@ott/kit';
import { graphql, testAccessToken, testEnv, uniqueTag } from '@ott/kit/testing';
import { catalogConfig } from '../src/config';
import { buildSchema } from '../src/schema';
import { createServer } from '../src/server';

// One catalog process with the catalogue in memory. A request's context is built (the moment
// the request starts), then the catalogue changes, then the request's resolvers run.
const admin = testAccessToken({ id: new Types.ObjectId().toHexString(), role: 'ADMIN' });
const closers: (() => Promise<unknown> | void)[] = [];
let service: Awaited<ReturnType<typeof createServer>>;
let server: RunningServer;

async function asAdmin(query: string, variables: Record<string, unknown>) {
  const response = await graphql<Record<string, { id: string }>>(server.url, query, variables, { token: admin });
  expect(response.errors).toBeUndefined();
  return response.data!;
}

beforeAll(async () => {
  const config = catalogConfig(testEnv(uniqueTag('catalog_request')));
  const logger = createLogger('catalog-request-snapshot', 'silent');
  const mongo = await mongoose.createConnection(config.MONGODB_URL, { dbName: config.MONGODB_DB }).asPromise();
  const [redis, events] = ['cache', 'events'].map((label) => createRedis(`request-snapshot-${label}`, { url: config.REDIS_URL, keyPrefix: '' }, logger));
  await Promise.all([redis, events].map((client) => connectRedis(client!)));
  service = await createServer({ config, mongo, redis: redis!, events: events!, logger });
  await service.catalogue.start();
  server = await service.app.listen('127.0.0.1', 0);
  closers.push(async () => {
    await server.close();
    await service.catalogue.stop();
    [redis, events].forEach((client) => client!.disconnect());
    await mongo.dropDatabase();
    await mongo.close();
  });
}, 60_000);
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

describe('a request reads one catalogue', () => {
  it('answers every field from the catalogue as of its start, even when it changes before its resolvers run', async () => {
    const { createMovie } = await asAdmin(`mutation { createMovie(input: { title: "Quiet Before", genreIds: [] }) { id } }`, {});
    const id = createMovie!.id;
    const schema = await buildSchema();
    const READ = parse(`query ($id: ID!) { content(id: $id) { title featured } featured(first: 100) { id } search(query: "quiet") { id title }
      _entities(representations: [{ __typename: "Content", id: $id }]) { ... on Content { featured } } }`);
    const run = async (contextValue: unknown) => {
      const result = await execute({ schema, document: READ, variableValues: { id }, contextValue });
      expect(result.errors).toBeUndefined();
      return result.data as {
        content: { title: string; featured: boolean };
        featured: { id: string }[];
        search: { title: string }[];
        _entities: { featured: boolean }[];
      };
    };

    const started = await service.context({ headers: {} } as ServiceRequest, 'started-before-the-change');
    // This process's own writes are in its copy before the mutation answers.
    await asAdmin(`mutation ($id: ID!) { setFeatured(contentId: $id, featured: true) { id } }`, { id });
    await asAdmin(`mutation ($id: ID!) { deleteContent(id: $id) }`, { id });

    const before = await run(started);
    expect(before.content).toEqual({ title: 'Quiet Before', featured: false });
    expect(before.featured.map((c) => c.id)).not.toContain(id);
    expect(before.search.map((c) => c.title)).toEqual(['Quiet Before']);
    expect(before._entities).toEqual([{ featured: false }]);

    const after = await run(await service.context({ headers: {} } as ServiceRequest, 'started-after-the-change'));
    expect(after.content).toBeNull();
    expect(after.search).toEqual([]);
    expect(after._entities).toEqual([{ featured: true }]);
  });

  it('answers a mutation from the catalogue that includes its own write', async () => {
    const { createTvShow } = await asAdmin(`mutation { createTvShow(input: { title: "Told In Parts", genreIds: [] }) { id } }`, {});
    const showId = createTvShow!.id;
    const ADD = `mutation ($showId: ID!, $n: Int!) { addEpisode(showId: $showId, input: { seasonNumber: 1, episodeNumber: $n, title: "Part" }) {
      id show { id seasons { number episodes { id } } } } }`;
    const first = (await asAdmin(ADD, { showId, n: 1 })) as unknown as { addEpisode: { id: string; show: { seasons: { episodes: { id: string }[] }[] } } };
    expect(first.addEpisode.show.seasons.flatMap((season) => season.episodes.map((e) => e.id))).toEqual([first.addEpisode.id]);
  });
});
