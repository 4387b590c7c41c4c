import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes } from '@ott/kit/testing';
import { DELETE, RATE, signedInStranger, startRatingsStack, type Member, type RatingsStack } from './support/ratings';
import type { Stack } from './support/stack';

// A member's ratings: writing, replacing and deleting them, who may, what others see, and listing one's own.
// Totals under load, their cost and catalog's sort by them are in ratings-totals.e2e.test.ts.

let ratings: RatingsStack;
let stack: Stack;
let alice: Member;
let bob: Member;
let titles: string[];
let register: RatingsStack['register'];
let rate: RatingsStack['rate'];
let totals: RatingsStack['totals'];
let ratingsDb: RatingsStack['ratingsDb'];

beforeAll(async () => {
  ratings = await startRatingsStack('ratings_members');
  ({ stack, alice, bob, titles, register, rate, totals, ratingsDb } = ratings);
});
afterAll(() => ratings?.close());

describe('rating titles through the gateway', () => {
  it('creates, replaces and deletes a member’s rating while the average and count follow across members', async () => {
    const [title] = titles;
    const first = await rate(alice, title!, 8, '  Loved it.  ');
    expect(first.errors).toBeUndefined();
    expect(first.data?.rateContent).toMatchObject({ score: 8, review: 'Loved it.', user: { id: alice.id, displayName: 'Alice' } });
    expect((await rate(bob, title!, 5)).errors).toBeUndefined();
    expect(await totals(title!, alice)).toEqual({
      id: title,
      averageRating: 6.5,
      ratingsCount: 2,
      myRating: { id: first.data!.rateContent.id, score: 8, review: 'Loved it.' },
    });

    const replaced = await rate(alice, title!, 10, '');
    expect(replaced.data?.rateContent).toMatchObject({ id: first.data!.rateContent.id, score: 10, review: null, createdAt: first.data!.rateContent.createdAt });
    expect(new Date(replaced.data!.rateContent.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(first.data!.rateContent.updatedAt).getTime());
    expect(await totals(title!, alice)).toMatchObject({ averageRating: 7.5, ratingsCount: 2, myRating: { score: 10, review: null } });

    expect((await stack.query(DELETE, { contentId: title }, { token: alice.token })).data).toEqual({ deleteRating: true });
    expect(await totals(title!, alice)).toMatchObject({ averageRating: 5, ratingsCount: 1, myRating: null });
    expect((await stack.query(DELETE, { contentId: title }, { token: alice.token })).data).toEqual({ deleteRating: false });
  });

  it('answers no average and a zero count for a title nobody rated, and no rating of mine when signed out', async () => {
    expect(await totals(titles[1]!)).toEqual({ id: titles[1], averageRating: null, ratingsCount: 0, myRating: null });
    await rate(bob, titles[1]!, 3);
    expect(await totals(titles[1]!)).toEqual({ id: titles[1], averageRating: 3, ratingsCount: 1, myRating: null });
  });

  it('rounds the average to one decimal', async () => {
    const scores = [9, 8, 8];
    for (const score of scores) expect((await rate(signedInStranger(), titles[2]!, score)).errors).toBeUndefined();
    expect(await totals(titles[2]!)).toMatchObject({ averageRating: 8.3, ratingsCount: 3 });
  });

  it('rejects scores outside 1..10, over-long reviews and unknown titles, naming the field and writing nothing', async () => {
    const before = await ratingsDb().collection('ratings').countDocuments();
    for (const score of [0, 11, -3]) {
      const response = await rate(alice, titles[3]!, score);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors![0]!.message).toMatch(/^score: /);
    }
    const fractional = await stack.query(RATE, { contentId: titles[3], score: 7.5 }, { token: alice.token });
    expect(errorCodes(fractional)).toEqual(['BAD_USER_INPUT']);
    const longReview = await rate(alice, titles[3]!, 7, 'x'.repeat(2_001));
    expect(errorCodes(longReview)).toEqual(['BAD_USER_INPUT']);
    expect(longReview.errors![0]!.message).toMatch(/^review: .*2,000/);
    const unknown = await rate(alice, new Types.ObjectId().toHexString(), 7);
    expect(errorCodes(unknown)).toEqual(['CONTENT_NOT_FOUND']);
    expect(await ratingsDb().collection('ratings').countDocuments()).toBe(before);

    const longest = await rate(alice, titles[3]!, 7, 'y'.repeat(2_000));
    expect(longest.data?.rateContent.review).toHaveLength(2_000);
  });

  it('returns reviews exactly as written, markup included: escaping is the client’s job', async () => {
    const review = `<script>alert("hi")</script> & "quotes" — 10/10 ✨`;
    const response = await rate(bob, titles[4]!, 10, review);
    expect(response.data?.rateContent.review).toBe(review);
    const read = await stack.query<{ content: { ratings: { edges: { node: { review: string } }[] } } }>(
      `query ($id: ID!) { content(id: $id) { ratings { edges { node { review } } } } }`,
      { id: titles[4] },
    );
    expect(read.data?.content.ratings.edges[0]?.node.review).toBe(review);
  });
});

describe('who may rate and what others see', () => {
  it('requires sign-in to rate or delete', async () => {
    expect(errorCodes(await rate(null, titles[5]!, 6))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await stack.query(DELETE, { contentId: titles[5] }))).toEqual(['UNAUTHENTICATED']);
  });

  it('lets a member change or delete only their own rating: another member’s writes leave it untouched', async () => {
    const mine = await rate(alice, titles[5]!, 9, 'Mine.');
    await rate(bob, titles[5]!, 2, 'Bob’s.');
    expect((await stack.query(DELETE, { contentId: titles[5] }, { token: bob.token })).data).toEqual({ deleteRating: true });
    expect(await totals(titles[5]!, alice)).toMatchObject({ ratingsCount: 1, myRating: { id: mine.data!.rateContent.id, score: 9, review: 'Mine.' } });
  });

  it('shows other readers an author’s display name, never their email', async () => {
    await rate(alice, titles[6]!, 7, 'Public review.');
    const query = (withEmail: boolean) =>
      stack.query<{ content: { ratings: { edges: { node: { review: string; user: { displayName: string } | null } }[] } } }>(
        `query ($id: ID!) { content(id: $id) { ratings { totalCount edges { node { review user { id displayName ${withEmail ? 'email' : ''} } } } } } }`,
        { id: titles[6] },
        { token: bob.token },
      );
    const visible = await query(false);
    expect(visible.errors).toBeUndefined();
    expect(visible.data?.content.ratings.edges.map((e) => e.node)).toEqual([{ review: 'Public review.', user: { id: alice.id, displayName: 'Alice' } }]);

    const prying = await query(true);
    expect(errorCodes(prying)).toContain('FORBIDDEN');
    expect(JSON.stringify(prying)).not.toContain(alice.email);
  });
});

describe('a member’s ratings', () => {
  it('pages newest first with opaque cursors and the total on every page', async () => {
    const reader = await register('Reader');
    for (const title of titles.slice(0, 5)) await rate(reader, title, 6);
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const response: Awaited<
        ReturnType<
          typeof stack.query<{
            me: {
              ratings: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { content: { id: string } } }[] };
            };
          }>
        >
      > = await stack.query(
        `query ($after: String) { me { ratings(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { content { id } } } } } }`,
        { after },
        { token: reader.token },
      );
      expect(response.errors).toBeUndefined();
      const page = response.data!.me.ratings;
      expect(page.totalCount).toBe(5);
      seen.push(...page.edges.map((e) => e.node.content.id));
      pages += 1;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(titles.slice(0, 5).reverse());
  });

  it('refuses a page size over 100 and a cursor it did not issue', async () => {
    const tooMany = await stack.query(`{ me { ratings(first: 101) { totalCount } } }`, {}, { token: alice.token });
    expect(errorCodes(tooMany)).toEqual(['BAD_USER_INPUT']);
    const forged = await stack.query(`{ me { ratings(after: "bm90LWEtY3Vyc29y") { totalCount } } }`, {}, { token: alice.token });
    expect(errorCodes(forged)).toEqual(['BAD_USER_INPUT']);
  });
});
