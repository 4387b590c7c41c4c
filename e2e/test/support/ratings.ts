import { Types } from 'mongoose';
import { expect } from 'vitest';
import { testAccessToken, uniqueTag } from '@ott/kit/testing';
import type { RatingsService } from '@ott/ratings';
import { createMovie, seedCatalog } from './catalog-fixture';
import { startStack } from './stack';

const ADMIN = { email: 'ratings-admin@example.test', password: 'admin-password-1' };

export const RATE = `mutation ($contentId: ID!, $score: Int!, $review: String) {
  rateContent(contentId: $contentId, score: $score, review: $review) {
    id score review createdAt updatedAt user { id displayName } content { id title }
  }
}`;
export const DELETE = `mutation ($contentId: ID!) { deleteRating(contentId: $contentId) }`;
const TOTALS = `query ($id: ID!) { content(id: $id) { id averageRating ratingsCount myRating { id score review } } }`;

export interface Member {
  token: string;
  id: string;
  email: string;
}
export interface Totals {
  averageRating: number | null;
  ratingsCount: number;
  myRating: { id: string; score: number; review: string | null } | null;
}

/** A member who exists only as a signed token: enough for the ratings subgraph, which checks the token itself. */
export function signedInStranger(): Member {
  const id = new Types.ObjectId().toHexString();
  return { id, email: '', token: testAccessToken({ id, role: 'USER' }) };
}

/** What the ratings end-to-end tests share: a stack, an ADMIN, two members, eight new films, and the steps to rate them. */
export type RatingsStack = Awaited<ReturnType<typeof startRatingsStack>>;

/**
 * Starts users, catalog and ratings behind a gateway, seeds the catalogue, signs the ADMIN in,
 * registers Alice and Bob and adds eight films nobody rated. Each test file starts its own, under its own label.
 */
export async function startRatingsStack(label: string) {
  const stack = await startStack(label, ['users', 'catalog', 'ratings'], {
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    MONGODB_MONITOR_COMMANDS: 'true',
    RATING_EVENTS_STREAM: `t:${uniqueTag(label)}:events:rating-summaries`,
  });
  let counter = 0;
  /** Set once the ADMIN signed in, before any film is added. */
  let adminToken = '';

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

  const rate = (member: Member | null, contentId: string, score: number, review?: string | null) =>
    stack.query<{
      rateContent: { id: string; score: number; review: string | null; createdAt: string; updatedAt: string; user: { id: string; displayName: string } };
    }>(RATE, { contentId, score, review }, { token: member?.token });

  async function totals(contentId: string, member?: Member): Promise<Totals> {
    const response = await stack.query<{ content: Totals }>(TOTALS, { id: contentId }, { token: member?.token });
    expect(response.errors).toBeUndefined();
    return response.data!.content;
  }

  try {
    await seedCatalog(stack.subgraphEnvs.catalog!);
    const login = await stack.query<{ login: { accessToken: string } }>(
      `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`,
      ADMIN,
    );
    adminToken = login.data!.login.accessToken;
    const alice = await register('Alice');
    const bob = await register('Bob');
    const titles: string[] = [];
    for (let i = 0; i < 8; i += 1) titles.push(await createMovie(stack, adminToken, `Rated Film ${i}`));
    return {
      stack,
      alice,
      bob,
      titles,
      register,
      /** Creates a film as the administrator; answers its id. */
      createMovie: (title: string) => createMovie(stack, adminToken, title),
      rate,
      totals,
      /** The ratings subgraph's own database, to compare the kept totals with the ratings themselves. */
      ratingsDb: () => (stack.services.ratings as RatingsService).mongo.db!,
      close: () => stack.close(),
    };
  } catch (error) {
    await stack.close();
    throw error;
  }
}
