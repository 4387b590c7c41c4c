import { setTimeout as sleep } from 'node:timers/promises';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RatingsService } from '@ott/ratings';
import { DELETE, signedInStranger, startRatingsStack, type Member, type RatingsStack } from './support/ratings';
import type { Stack } from './support/stack';

// The kept totals: exact under concurrent writes, read for a page of titles in constant queries, and followed by catalog's sort.
// A member's own ratings are in ratings-members.e2e.test.ts.

let ratings: RatingsStack;
let stack: Stack;
let alice: Member;
let titles: string[];
let createMovie: RatingsStack['createMovie'];
let rate: RatingsStack['rate'];
let totals: RatingsStack['totals'];
let ratingsDb: RatingsStack['ratingsDb'];

beforeAll(async () => {
  ratings = await startRatingsStack('ratings_totals');
  ({ stack, alice, titles, createMovie, rate, totals, ratingsDb } = ratings);
});
afterAll(() => ratings?.close());

describe('exact totals under concurrency', () => {
  it('keeps sum and count equal to the ratings when 50 members rate at once while one member keeps changing their score', async () => {
    const title = titles[7]!;
    const strangers = Array.from({ length: 50 }, signedInStranger);
    const racer = signedInStranger();
    const responses = await Promise.all([
      ...strangers.map((member, i) => rate(member, title, (i % 10) + 1)),
      ...Array.from({ length: 12 }, (_, i) => rate(racer, title, (i % 10) + 1)),
      stack.query(DELETE, { contentId: title }, { token: racer.token }),
    ]);
    expect(responses.flatMap((r) => r.errors ?? [])).toEqual([]);

    const stored = await ratingsDb().collection('ratings').find({ contentId: title }).toArray();
    const summary = await ratingsDb()
      .collection('summaries')
      .findOne({ _id: title as unknown as Types.ObjectId });
    const sum = stored.reduce((total, rating) => total + (rating.score as number), 0);
    expect(summary).toMatchObject({ sum, count: stored.length });
    expect(stored.length).toBeGreaterThanOrEqual(50);
    expect(await totals(title)).toMatchObject({ ratingsCount: stored.length, averageRating: Math.round((sum * 10) / stored.length) / 10 });
  });
});

describe('reading totals for a page of titles', () => {
  it('costs one find for sums and one for my ratings whether the page holds 3 titles or 30', async () => {
    const query = `query ($first: Int) { browse(first: $first) { edges { node { id averageRating ratingsCount myRating { score } } } } }`;
    const client = (stack.services.ratings as RatingsService).mongo.getClient();
    const finds = async (first: number) => {
      let count = 0;
      const onCommand = (event: { commandName: string }) => {
        if (event.commandName === 'find') count += 1;
      };
      client.on('commandStarted', onCommand);
      try {
        const response = await stack.query<{ browse: { edges: unknown[] } }>(query, { first }, { token: alice.token });
        expect(response.errors).toBeUndefined();
        expect(response.data!.browse.edges).toHaveLength(first);
      } finally {
        client.off('commandStarted', onCommand);
      }
      return count;
    };
    expect(await finds(3)).toBe(2);
    expect(await finds(30)).toBe(2);
  });
});

describe('catalog’s RATING_DESC sort', () => {
  const topRated = async () => {
    const response = await stack.query<{ browse: { edges: { node: { id: string; averageRating: number | null } }[] } }>(
      `{ browse(sort: RATING_DESC, first: 1) { edges { node { id averageRating } } } }`,
    );
    return response.data!.browse.edges[0]?.node;
  };
  /** Catalog applies ratings' events asynchronously: poll, bounded, until it has. */
  async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      const value = await read();
      if (done(value) || attempt >= 100) return value;
      await sleep(100);
    }
  }

  it('follows members’ averages: a title rated 10 by everyone rises to the top, and falls when its ratings go', async () => {
    const title = await createMovie('The Perfect Film');
    const fans = [signedInStranger(), signedInStranger()];
    for (const fan of fans) await rate(fan, title, 10);
    expect(await eventually(topRated, (node) => node?.id === title)).toEqual({ id: title, averageRating: 10 });

    for (const fan of fans) await stack.query(DELETE, { contentId: title }, { token: fan.token });
    expect((await eventually(topRated, (node) => node?.id !== title))?.id).not.toBe(title);
  });
});
