// The data-growth bench's operations: the GraphQL each sends, their names in table order, and
// the registration of the members who send them.
import { randomUUID } from 'node:crypto';

export const REGISTER = `mutation Register($input: RegisterInput!) { register(input: $input) { accessToken refreshToken user { id } } }`;
export const SUBSCRIBE = `mutation Subscribe($input: SubscribeToPlanInput!) { subscribeToPlan(input: $input) { status plan { code } } }`;
export const ADD = `mutation Add($id: ID!) { addToMyList(contentId: $id) { id addedAt } }`;
export const HOME = `query Home { me { id myListStats { total } myList(first: 20) { totalCount edges { node { addedAt content { id title genres { name } ... on Movie { runtimeMinutes } } } } } } }`;
export const RATE = `mutation Rate($id: ID!, $score: Int!, $review: String) { rateContent(contentId: $id, score: $score, review: $review) { id score } }`;
export const TITLE = `query Title($id: ID!) { content(id: $id) { id title releaseYear genres { name } inMyList averageRating ratingsCount myRating { score review } } }`;
export const REVIEWS = `query Reviews($id: ID!) { content(id: $id) { id ratingsCount ratings(first: 10) { totalCount edges { node { score review createdAt user { id displayName } } } } } }`;
export const START = `mutation Start($input: StartPlaybackInput!) { startPlayback(input: $input) { id state positionSeconds quality } }`;
export const HEARTBEAT = `mutation Heartbeat($input: UpdatePlaybackInput!) { updatePlayback(input: $input) { id positionSeconds version } }`;
export const STOP = `mutation Stop($id: ID!) { stopPlayback(sessionId: $id) { id state endReason } }`;
export const RESUME = `query Resume { me { id continueWatching(first: 10) { positionSeconds completed content { id title } episode { id title } } watchHistory(first: 20) { totalCount edges { node { completed updatedAt content { id title } } } } } }`;
export const BILLING = `query Billing($first: Int!) { me { id membership { status currentPeriodEnd plan { code maxStreams } } entitlements { canStream maxStreams maxQuality } invoices(first: $first) { totalCount edges { node { number amountCents status issuedAt } } } } }`;
export const LOGIN = `mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken refreshToken } }`;
export const REFRESH = `mutation Refresh($token: String!) { refreshToken(refreshToken: $token) { accessToken refreshToken } }`;

/** The operations in table order; the last is the concurrent ratings of `connections` members. */
export const operationsFor = (connections) => [
  'register',
  'subscribeToPlan',
  'addToMyList',
  'home screen (after the list changed)',
  'rateContent',
  'title page',
  "a popular title's reviews (ratings(first: 10))",
  'startPlayback',
  'updatePlayback (heartbeat)',
  'stopPlayback',
  'continueWatching + watchHistory',
  'billing read (membership, entitlements, invoices)',
  'login',
  'refreshToken',
  `rateContent, ${connections} members at once`,
];

export const email = (size, tag) => `growth-${size}-${tag}-${randomUUID().slice(0, 8)}@example.test`;
export const PASSWORD = 'bench-password-1';

/** Registers a new bench member; answers its tokens and id. */
export async function register(call, size, tag) {
  const { data } = await call('register', REGISTER, { input: { email: email(size, tag), password: PASSWORD, displayName: `Growth ${tag}` } });
  if (!data) throw new Error(`could not register the bench member ${tag} at N=${size}: ${JSON.stringify(data)}`);
  return data.register;
}
