import { setTimeout as sleep } from 'node:timers/promises';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, testAccessToken, uniqueTag } from '@ott/kit/testing';
import type { RatingsService } from '@ott/ratings';
import { seedCatalog } from './support/catalog-fixture';
import { startStack, type Stack } from './support/stack';

const ADMIN = { email: 'ratings-admin@example.test', password: 'admin-password-1' };

const RATE = `mutation ($contentId: ID!, $score: Int!, $review: String) {
  rateContent(contentId: $contentId, score: $score, review: $review) {
    id score review createdAt updatedAt user { id displayName } content { id title }
  }
}`;
const DELETE = `mutation ($contentId: ID!) { deleteRating(contentId: $contentId) }`;
const TOTALS = `query ($id: ID!) { content(id: $id) { id averageRating ratingsCount myRating { id score review } } }`;

interface Member {
  token: string;
  id: string;
  email: string;
}
interface Totals {
  averageRating: number | null;
  ratingsCount: number;
  myRating: { id: string; score: number; review: string | null } | null;
}

let stack: Stack;
let adminToken: string;
let alice: Member;
let bob: Member;
let titles: string[];
let counter = 0;

async function register(displayName: string): Promise<Member> {
  counter += 1;
  const email = `${displayName.toLowerCase()}${counter}@example.test`;
  const response = await stack.query<{ register: { accessToken: string; user: { id: string } } }>(
    `mutation ($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }`,
    { input: { email, password: 'a long enough password', displayName } },
  );
  expect(response.errors).toBeUndefined();
  return { token: response.data!.register.accessToken, id: response.data!.register.user.id, email };
}

async function createMovie(title: string): Promise<string> {
  const response = await stack.query<{ createMovie: { id: string } }>(
    `mutation ($input: MovieInput!) { createMovie(input: $input) { id } }`,
    { input: { title, genreIds: [] } },
    { token: adminToken },
  );
  expect(response.errors).toBeUndefined();
  return response.data!.createMovie.id;
}

const rate = (member: Member | null, contentId: string, score: number, review?: string | null) =>
  stack.query<{
    rateContent: { id: string; score: number; review: string | null; createdAt: string; updatedAt: string; user: { id: string; displayName: string } };
  }>(RATE, { contentId, score, review }, { token: member?.token });

async function totals(contentId: string, member?: Member): Promise<Totals> {
  const response = await stack.query<{ content: Totals }>(TOTALS, { id: contentId }, { token: member?.token });
  expect(response.errors).toBeUndefined();
  return response.data!.content;
}

/** The ratings subgraph's own database, to compare the kept totals with the ratings themselves. */
const ratingsDb = () => (stack.services.ratings as RatingsService).mongo.db!;

beforeAll(async () => {
  stack = await startStack('ratings_e2e', ['users', 'catalog', 'ratings'], {
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    MONGODB_MONITOR_COMMANDS: 'true',
    RATING_EVENTS_STREAM: `t:${uniqueTag('ratings_e2e')}:events:rating-summaries`,
  });
  await seedCatalog(stack.subgraphEnvs.catalog!);
  const login = await stack.query<{ login: { accessToken: string } }>(
    `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`,
    ADMIN,
  );
  adminToken = login.data!.login.accessToken;
  alice = await register('Alice');
  bob = await register('Bob');
  titles = [];
  for (let i = 0; i < 8; i += 1) titles.push(await createMovie(`Rated Film ${i}`));
});
afterAll(() => stack?.close());

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

/** A member who exists only as a signed token: enough for the ratings subgraph, which checks the token itself. */
function signedInStranger(): Member {
  const id = new Types.ObjectId().toHexString();
  return { id, email: '', token: testAccessToken({ id, role: 'USER' }) };
}

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
