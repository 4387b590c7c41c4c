import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '@ott/kit';
import { errorCodes, graphql, testAccessToken, testEnv, uniqueTag } from '@ott/kit/testing';
import { start as startCatalog } from '@ott/catalog';
import { start, type RatingsService } from '../src/index';

const RATE = `mutation ($contentId: ID!, $score: Int!, $review: String) {
  rateContent(contentId: $contentId, score: $score, review: $review) { score review }
}`;
const MY_RATING = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Content { myRating { score review } } } }`;

let catalog: Service;
let ratings: RatingsService;
let contentId: string;

beforeAll(async () => {
  const tag = uniqueTag('ratings_text');
  catalog = await startCatalog(testEnv(`${tag}_catalog`));
  ratings = await start(testEnv(`${tag}_ratings`, { CATALOG_URL: catalog.url }));
  const created = await graphql<{ createMovie: { id: string } }>(
    catalog.url,
    `
      mutation ($input: MovieInput!) {
        createMovie(input: $input) {
          id
        }
      }
    `,
    { input: { title: 'Text', genreIds: [] } },
    { token: testAccessToken({ id: new Types.ObjectId().toHexString(), role: 'ADMIN' }) },
  );
  contentId = created.data!.createMovie.id;
});
afterAll(async () => {
  await ratings?.close();
  await catalog?.close();
});

const member = () => testAccessToken({ id: new Types.ObjectId().toHexString(), role: 'USER' });
const myRating = async (token: string) =>
  (await graphql<{ _entities: { myRating: unknown }[] }>(ratings.url, MY_RATING, { reps: [{ __typename: 'Content', id: contentId }] }, { token })).data
    ?._entities[0]?.myRating;

describe('reviews', () => {
  it.each([
    ['a NUL', 'good\u0000film', /control characters \(found U\+0000 at position 4\)/],
    ['a bell', 'ding\u0007', /control characters \(found U\+0007/],
    ['an escape sequence', 'red \u001B[31m text', /control characters \(found U\+001B/],
    ['a lone carriage return', 'one\rtwo', /control characters \(found U\+000D/],
    ['a C1 control', 'x\u0085y', /control characters \(found U\+0085/],
    ['a right-to-left override', 'great \u202Efilm', /bidirectional control characters \(found U\+202E/],
    ['a left-to-right isolate', 'ok \u2066x\u2069', /bidirectional control characters \(found U\+2066/],
  ])('are refused when they hold %s, and the earlier rating stays as it was', async (_what, review, message) => {
    const token = member();
    expect((await graphql(ratings.url, RATE, { contentId, score: 6, review: 'The first review' }, { token })).errors).toBeUndefined();
    const refused = await graphql(ratings.url, RATE, { contentId, score: 2, review }, { token });
    expect(errorCodes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(refused.errors![0]!.message).toMatch(/^review: /);
    expect(refused.errors![0]!.message).toMatch(message);
    expect(refused.errors![0]!.extensions?.field).toBe('review');
    expect(await myRating(token)).toEqual({ score: 6, review: 'The first review' });
  });

  it('is not stored at all when a first rating’s review is refused', async () => {
    const token = member();
    const refused = await graphql(ratings.url, RATE, { contentId, score: 9, review: 'nul\u0000' }, { token });
    expect(errorCodes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(await myRating(token)).toBeNull();
  });

  it('keep newlines, tabs (CRLF stored as LF), right-to-left text and its marks', async () => {
    const token = member();
    const response = await graphql(ratings.url, RATE, { contentId, score: 8, review: 'Line one\r\n\tLine two\nשלום \u200Fעולם' }, { token });
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ rateContent: { score: 8, review: 'Line one\n\tLine two\nשלום \u200Fעולם' } });
  });
});
