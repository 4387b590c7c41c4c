import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '@ott/kit';
import { errorCodes, graphql, testAccessToken, testEnv, uniqueTag, typeDirectives } from '@ott/kit/testing';
import { start as startCatalog } from '@ott/catalog';
import { start, type RatingsService } from '../src/index';

const RATE = `mutation ($contentId: ID!, $score: Int!, $review: String) {
  rateContent(contentId: $contentId, score: $score, review: $review) { id score review user { id } content { id } }
}`;
const CONTENT_RATINGS = `query ($reps: [_Any!]!) {
  _entities(representations: $reps) { ... on Content { id averageRating ratingsCount myRating { score } } }
}`;

let catalog: Service;
let ratings: RatingsService;
const titles: string[] = [];
const token = (role: 'USER' | 'ADMIN' = 'USER') => testAccessToken({ id: new Types.ObjectId().toHexString(), role });
const contentReps = (ids: string[]) => ids.map((id) => ({ __typename: 'Content', id }));

/** Runs `work` and answers how many commands of each kind the ratings subgraph sent to its database. */
async function commandsDuring(work: () => Promise<unknown>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const client = ratings.mongo.getClient();
  const count = (event: { commandName: string }) => {
    counts[event.commandName] = (counts[event.commandName] ?? 0) + 1;
  };
  client.on('commandStarted', count);
  try {
    await work();
  } finally {
    client.off('commandStarted', count);
  }
  return counts;
}

beforeAll(async () => {
  const tag = uniqueTag('ratings_direct');
  catalog = await startCatalog(testEnv(`${tag}_catalog`));
  ratings = await start(testEnv(`${tag}_ratings`, { CATALOG_URL: catalog.url, MONGODB_MONITOR_COMMANDS: 'true' }));
  const admin = token('ADMIN');
  for (const title of ['Alpha', 'Beta', 'Gamma']) {
    const created = await graphql<{ createMovie: { id: string } }>(
      catalog.url,
      `
        mutation ($input: MovieInput!) {
          createMovie(input: $input) {
            id
          }
        }
      `,
      { input: { title, genreIds: [] } },
      { token: admin },
    );
    expect(created.errors).toBeUndefined();
    titles.push(created.data!.createMovie.id);
  }
});
afterAll(async () => {
  await ratings?.close();
  await catalog?.close();
});

describe('the ratings subgraph reached directly', () => {
  it('contributes its fields to every kind of Content through @interfaceObject', async () => {
    const response = await graphql<{ _service: { sdl: string } }>(
      ratings.url,
      `
        {
          _service {
            sdl
          }
        }
      `,
    );
    expect(typeDirectives(response.data!._service.sdl, 'Content').sort()).toEqual(['@interfaceObject', '@key(fields: "id")']);
  });

  it('answers a title nobody rated with no average, a zero count and no rating of mine', async () => {
    const response = await graphql(ratings.url, CONTENT_RATINGS, { reps: contentReps([titles[2]!]) }, { token: token() });
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ _entities: [{ id: titles[2], averageRating: null, ratingsCount: 0, myRating: null }] });
  });

  it('checks the title with catalog and verifies the caller’s token itself', async () => {
    const unknown = await graphql(ratings.url, RATE, { contentId: new Types.ObjectId().toHexString(), score: 5 }, { token: token() });
    expect(errorCodes(unknown)).toEqual(['CONTENT_NOT_FOUND']);
    const anonymous = await graphql(ratings.url, RATE, { contentId: titles[0], score: 5 });
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
    const forged = await graphql(ratings.url, RATE, { contentId: titles[0], score: 5 }, { token: `${token().slice(0, -4)}AAAA` });
    expect(errorCodes(forged)).toEqual(['UNAUTHENTICATED']);
  });

  it('reads the totals of 5 or 100 titles with the same two finds: one for sums, one for my ratings', async () => {
    const member = token();
    await graphql(ratings.url, RATE, { contentId: titles[0], score: 7 }, { token: member });
    await graphql(ratings.url, RATE, { contentId: titles[1], score: 4 }, { token: token() });
    const others = Array.from({ length: 97 }, () => new Types.ObjectId().toHexString());

    let few: { _entities: { averageRating: number | null; myRating: { score: number } | null }[] } | undefined;
    const fewCommands = await commandsDuring(async () => {
      few = (await graphql<NonNullable<typeof few>>(ratings.url, CONTENT_RATINGS, { reps: contentReps([...titles, ...others.slice(0, 2)]) }, { token: member }))
        .data!;
    });
    let many: typeof few;
    const manyCommands = await commandsDuring(async () => {
      many = (await graphql<NonNullable<typeof few>>(ratings.url, CONTENT_RATINGS, { reps: contentReps([...titles, ...others]) }, { token: member })).data!;
    });

    expect(few!._entities).toHaveLength(5);
    expect(many!._entities).toHaveLength(100);
    expect(many!._entities.slice(0, 3).map((c) => [c.averageRating, c.myRating?.score ?? null])).toEqual([
      [7, 7],
      [4, null],
      [null, null],
    ]);
    expect(fewCommands).toEqual({ find: 2 });
    expect(manyCommands).toEqual(fewCommands);
  });

  it('lists a user’s ratings through a User reference, also for other readers', async () => {
    const authorId = new Types.ObjectId().toHexString();
    const author = testAccessToken({ id: authorId, role: 'USER' });
    await graphql(ratings.url, RATE, { contentId: titles[2], score: 9, review: 'Great <b>fun</b>' }, { token: author });
    const response = await graphql<{ _entities: { ratings: { totalCount: number; edges: { node: { score: number; review: string } }[] } }[] }>(
      ratings.url,
      `
        query ($reps: [_Any!]!) {
          _entities(representations: $reps) {
            ... on User {
              ratings(first: 5) {
                totalCount
                edges {
                  node {
                    score
                    review
                  }
                }
              }
            }
          }
        }
      `,
      { reps: [{ __typename: 'User', id: authorId }] },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?._entities[0]?.ratings).toEqual({ totalCount: 1, edges: [{ node: { score: 9, review: 'Great <b>fun</b>' } }] });
  });
});
