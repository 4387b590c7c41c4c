import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { GraphQLResponse } from '@ott/kit/testing';
import type { Stack } from './stack';

export const SESSION_FIELDS = 'id state positionSeconds device quality playbackUrl version startedAt updatedAt endedAt endReason content { id } episode { id }';
export const START = `mutation ($input: StartPlaybackInput!) { startPlayback(input: $input) { ${SESSION_FIELDS} } }`;
export const UPDATE = `mutation ($input: UpdatePlaybackInput!) { updatePlayback(input: $input) { ${SESSION_FIELDS} } }`;
export const STOP = `mutation ($id: ID!) { stopPlayback(sessionId: $id) { ${SESSION_FIELDS} } }`;
export const SESSION = `query ($id: ID!) { playbackSession(id: $id) { ${SESSION_FIELDS} } }`;

export interface Session {
  id: string;
  state: 'PLAYING' | 'PAUSED' | 'ENDED';
  positionSeconds: number;
  device: string;
  quality: 'SD' | 'HD' | 'UHD';
  playbackUrl: string;
  version: number;
  startedAt: string;
  updatedAt: string;
  endedAt: string | null;
  endReason: string | null;
  content: { id: string };
  episode: { id: string } | null;
}

export interface Member {
  id: string;
  token: string;
}

export interface CatalogIds {
  /** Films in title order, with their runtime in minutes and their genres' names. */
  movies: { id: string; title: string; runtimeMinutes: number; genres: string[] }[];
  /** Shows with their episodes in order. */
  shows: { id: string; title: string; episodes: string[] }[];
}

let registered = 0;

/** A new account through the users subgraph. */
export async function signUp(stack: Stack, label = 'viewer'): Promise<Member> {
  registered += 1;
  const response = await stack.query<{ register: { accessToken: string; user: { id: string } } }>(
    `mutation ($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }`,
    {
      input: {
        email: `${label}${registered}-${randomUUID().slice(0, 8)}@example.test`,
        password: 'a long enough password',
        displayName: `${label} ${registered}`,
      },
    },
  );
  expect(response.errors).toBeUndefined();
  return { id: response.data!.register.user.id, token: response.data!.register.accessToken };
}

export async function subscribe(stack: Stack, who: Member, planCode: 'BASIC' | 'STANDARD' | 'PREMIUM'): Promise<void> {
  const response = await stack.query(
    `mutation ($input: SubscribeToPlanInput!) { subscribeToPlan(input: $input) { status } }`,
    { input: { planCode, paymentToken: 'tok_visa', idempotencyKey: randomUUID() } },
    { token: who.token },
  );
  expect(response.errors).toBeUndefined();
}

/** A signed-up member with an ACTIVE membership of the plan. */
export async function subscriber(stack: Stack, planCode: 'BASIC' | 'STANDARD' | 'PREMIUM', label = 'viewer'): Promise<Member> {
  const who = await signUp(stack, label);
  await subscribe(stack, who, planCode);
  return who;
}

export async function catalogIds(stack: Stack): Promise<CatalogIds> {
  const response = await stack.query<{
    browse: { edges: { node: { __typename: string; id: string; title: string; genres: { name: string }[]; runtimeMinutes?: number } }[] };
  }>(`{ browse(first: 100) { edges { node { __typename id title genres { name } ... on Movie { runtimeMinutes } } } } }`);
  expect(response.errors).toBeUndefined();
  const nodes = response.data!.browse.edges.map((edge) => edge.node);
  // A show's episodes one show at a time, as a title page asks for them (all of them at once would exceed the cost limit).
  const shows = await Promise.all(
    nodes
      .filter((n) => n.__typename === 'TvShow')
      .map(async (n) => {
        const show = await stack.query<{ content: { seasons: { episodes: { id: string }[] }[] } }>(
          `query ($id: ID!) { content(id: $id) { ... on TvShow { seasons { episodes { id } } } } }`,
          { id: n.id },
        );
        expect(show.errors).toBeUndefined();
        return { id: n.id, title: n.title, episodes: show.data!.content.seasons.flatMap((s) => s.episodes.map((e) => e.id)) };
      }),
  );
  return {
    movies: nodes
      .filter((n) => n.__typename === 'Movie')
      .map((n) => ({ id: n.id, title: n.title, runtimeMinutes: n.runtimeMinutes!, genres: n.genres.map((g) => g.name) })),
    shows,
  };
}

export const start = (stack: Stack, who: Member, input: Record<string, unknown>) =>
  stack.query<{ startPlayback: Session }>(START, { input: { device: 'living-room-tv', ...input } }, { token: who.token });

export async function started(stack: Stack, who: Member, input: Record<string, unknown>): Promise<Session> {
  const response = await start(stack, who, input);
  expect(response.errors).toBeUndefined();
  return response.data!.startPlayback;
}

export const heartbeat = (stack: Stack, who: Member, sessionId: string, positionSeconds: number, state?: string) =>
  stack.query<{ updatePlayback: Session }>(UPDATE, { input: { sessionId, positionSeconds, ...(state ? { state } : {}) } }, { token: who.token });

export const stop = (stack: Stack, who: Member, sessionId: string) => stack.query<{ stopPlayback: Session }>(STOP, { id: sessionId }, { token: who.token });

/** Polls until `check` passes (events are applied asynchronously), or fails with its last error. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export const dataOf = <T>(response: GraphQLResponse<T>): T => {
  expect(response.errors).toBeUndefined();
  return response.data!;
};
