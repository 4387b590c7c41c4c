import { randomUUID } from 'node:crypto';
import { Client as UrqlClient, fetchExchange } from '@urql/core';
import { createClient, type Client as WsClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueTag } from '@ott/kit/testing';
import WebSocket from 'ws';
import {
  AddToMyListDocument,
  BrowseDocument,
  ContentDetailsDocument,
  FeaturedDocument,
  GenresDocument,
  LoginDocument,
  LogoutDocument,
  MeDocument,
  MyListDocument,
  MyMembershipDocument,
  MyPlaybackDocument,
  MyPlaybackSessionsDocument,
  PlansDocument,
  RateContentDocument,
  RefreshTokenDocument,
  SearchDocument,
  StartPlaybackDocument,
  StopPlaybackDocument,
  SubscribeToPlanDocument,
  TrendingDocument,
  UpdatePlaybackDocument,
  WatchDocument,
} from '../../schema/client/graphql';
import type { MyPlaybackSessionsSubscription, WatchSubscription } from '../../schema/client/graphql';
import possibleTypesResult from '../../schema/possible-types';
import { seedCatalog } from './support/catalog-fixture';
import { startStack, type Stack } from './support/stack';

// The README's client set-up, run with the real client libraries against the real graph.

const MEMBER = { email: `client-${randomUUID().slice(0, 8)}@example.test`, password: 'a long enough password', displayName: 'Client' };

let stack: Stack;
// Apollo Client declares its types as ES modules only, which a CommonJS file may load but not require.
const loadApollo = async () => ({
  ...(await import('@apollo/client/core')),
  ...(await import('@apollo/client/link/batch-http')),
  ...(await import('@apollo/client/link/context')),
  ...(await import('@apollo/client/link/subscriptions')),
  ...(await import('@apollo/client/utilities')),
});
let apollo: Awaited<ReturnType<typeof loadApollo>>;
type Apollo = InstanceType<typeof apollo.ApolloClient>;
const opened: { stop(): void }[] = [];

/** The README's Apollo Client: auth link + HTTP link, graphql-ws for subscriptions, possibleTypes. */
function apolloClient(token: () => string | undefined, options: { possibleTypes?: boolean } = {}) {
  const { ApolloClient, GraphQLWsLink, HttpLink, InMemoryCache, getMainDefinition, setContext, split } = apollo;
  const httpLink = new HttpLink({ uri: stack.gatewayUrl });
  const authLink = setContext((_, { headers }) => {
    const accessToken = token();
    return { headers: { ...headers, ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}) } };
  });
  const ws: WsClient = createClient({
    url: stack.gatewayUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: () => ({ authorization: `Bearer ${token()}` }),
  });
  const link = split(
    ({ query }) => {
      const definition = getMainDefinition(query);
      return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
    },
    new GraphQLWsLink(ws),
    authLink.concat(httpLink),
  );
  const client: Apollo = new ApolloClient({
    link,
    cache: new InMemoryCache(options.possibleTypes === false ? {} : { possibleTypes: possibleTypesResult.possibleTypes }),
  });
  opened.push({ stop: () => (client.stop(), void ws.dispose()) });
  return client;
}

/** Every result of a subscription as it arrives. */
interface Result<T> {
  data?: T | null;
}
function collect<T>(observable: { subscribe(observer: { next(value: Result<T>): void; error(error: unknown): void }): { unsubscribe(): void } }) {
  const results: Result<T>[] = [];
  const failures: unknown[] = [];
  const subscription = observable.subscribe({ next: (value) => results.push(value), error: (error) => failures.push(error) });
  opened.push({ stop: () => subscription.unsubscribe() });
  const until = async (check: (all: Result<T>[]) => boolean, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!check(results)) {
      if (failures.length) throw failures[0];
      if (Date.now() > deadline) throw new Error(`timed out; received ${JSON.stringify(results)}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return results;
  };
  return { results, until };
}

beforeAll(async () => {
  apollo = await loadApollo();
  // One key prefix for all: the gateway listens where streaming publishes playback changes.
  stack = await startStack('clients', ['users', 'catalog', 'ratings', 'my-list', 'billing', 'streaming'], { REDIS_KEY_PREFIX: `t:${uniqueTag('clients')}:` });
  await seedCatalog(stack.subgraphEnvs.catalog!);
  const registered = await stack.query(`mutation ($input: RegisterInput!) { register(input: $input) { user { id } } }`, { input: MEMBER });
  expect(registered.errors).toBeUndefined();
}, 120_000);
afterAll(async () => {
  for (const handle of opened.reverse()) handle.stop();
  await stack?.close();
});

describe('Apollo Client, set up as the README says', () => {
  it("runs the README's tour from schema/client/'s typed documents, subscriptions included", async () => {
    let accessToken: string | undefined;
    const client = apolloClient(() => accessToken);
    const { data: login } = await client.mutate({ mutation: LoginDocument, variables: MEMBER });
    accessToken = login!.login.accessToken;

    expect((await client.query({ query: MeDocument })).data!.me).toMatchObject({ email: MEMBER.email, role: 'USER' });
    expect((await client.query({ query: GenresDocument })).data!.genres.length).toBeGreaterThan(0);
    const { data: browse } = await client.query({ query: BrowseDocument, variables: { filter: { kind: 'MOVIE' }, sort: 'POPULARITY_DESC', first: 5 } });
    const film = browse!.browse.edges[0]!.node;
    expect(film).toMatchObject({ __typename: 'Movie', director: expect.any(String) });
    expect((await client.query({ query: SearchDocument, variables: { query: 'star', first: 5 } })).data!.search.length).toBeGreaterThan(0);
    expect((await client.query({ query: FeaturedDocument })).data!.featured.length).toBeGreaterThan(0);

    await client.mutate({ mutation: AddToMyListDocument, variables: { contentId: film.id } });
    const { data: myList } = await client.query({ query: MyListDocument, variables: { first: 20 } });
    expect(myList!.me?.myList?.edges.map((e) => e.node.content.title)).toEqual([film.title]);
    await client.mutate({ mutation: RateContentDocument, variables: { contentId: film.id, score: 9, review: 'Still holds up.' } });
    const { data: details } = await client.query({ query: ContentDetailsDocument, variables: { id: film.id, similarFirst: 3 } });
    expect(details!.content).toMatchObject({ title: film.title, myRating: { score: 9 }, ratingsCount: 1 });

    expect((await client.query({ query: PlansDocument })).data!.plans.map((p) => p.code)).toContain('STANDARD');
    await client.mutate({
      mutation: SubscribeToPlanDocument,
      variables: { input: { planCode: 'STANDARD', paymentToken: 'tok_visa', idempotencyKey: randomUUID() } },
    });
    const { data: membership } = await client.query({ query: MyMembershipDocument, variables: { invoicesFirst: 5 } });
    expect(membership!.me?.membership?.status).toBe('ACTIVE');

    // Over graphql-ws, with the token in connection_init.
    const mine = collect<MyPlaybackSessionsSubscription>(client.subscribe({ query: MyPlaybackSessionsDocument }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { data: started } = await client.mutate({
      mutation: StartPlaybackDocument,
      variables: { input: { contentId: film.id, device: 'living-room-tv', quality: 'UHD' } },
    });
    const session = started!.startPlayback;
    expect(session).toMatchObject({ state: 'PLAYING', quality: 'HD' });
    await mine.until((all) => all.some((r) => r.data?.myPlaybackSessions.id === session.id));

    const watched = collect<WatchSubscription>(client.subscribe({ query: WatchDocument, variables: { id: session.id } }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await client.mutate({ mutation: UpdatePlaybackDocument, variables: { input: { sessionId: session.id, positionSeconds: 754, state: 'PAUSED' } } });
    await watched.until((all) => all.some((r) => r.data?.playbackSessionUpdated.positionSeconds === 754));
    expect(watched.results.at(-1)?.data?.playbackSessionUpdated).toMatchObject({
      state: 'PAUSED',
      content: { title: film.title },
      user: { displayName: MEMBER.displayName },
    });
    await client.mutate({ mutation: StopPlaybackDocument, variables: { sessionId: session.id } });

    const { data: playback } = await client.query({
      query: MyPlaybackDocument,
      variables: { continueFirst: 10, historyFirst: 20 },
      fetchPolicy: 'network-only',
    });
    expect(playback!.me?.continueWatching?.map((c) => c.content.title)).toEqual([film.title]);
    expect((await client.query({ query: TrendingDocument, variables: { first: 10 } })).data!.trending.map((t) => t.title)).toContain(film.title);

    const { data: refreshed } = await client.mutate({ mutation: RefreshTokenDocument, variables: { refreshToken: login!.login.refreshToken } });
    accessToken = refreshed!.refreshToken.accessToken;
    const { data: loggedOut } = await client.mutate({ mutation: LogoutDocument, variables: { refreshToken: refreshed!.refreshToken.refreshToken } });
    expect(loggedOut!.logout).toBe(true);
  });

  it('keeps the fields of a fragment on Content only with schema/possible-types.ts', async () => {
    const query = apollo.gql`
      query FeaturedCards {
        featured(first: 3) {
          id
          ...Card
        }
      }
      fragment Card on Content {
        title
      }
    `;
    const titles = async (client: Apollo) =>
      ((await client.query<{ featured: { id: string; title?: string }[] }>({ query, errorPolicy: 'all' })).data?.featured ?? []).map((f) => f.title);
    expect(possibleTypesResult.possibleTypes.Content.sort()).toEqual(['Movie', 'TvShow']);
    const withPossibleTypes = await titles(apolloClient(() => undefined));
    expect(withPossibleTypes).toHaveLength(3);
    expect(withPossibleTypes.every((title) => typeof title === 'string')).toBe(true);
    expect(await titles(apolloClient(() => undefined, { possibleTypes: false }))).toEqual([undefined, undefined, undefined]);
  });

  it('cannot batch: BatchHttpLink is answered 400, the gateway takes one operation per request', async () => {
    const client = new apollo.ApolloClient({ link: new apollo.BatchHttpLink({ uri: stack.gatewayUrl, batchMax: 5 }), cache: new apollo.InMemoryCache() });
    opened.push({ stop: () => client.stop() });
    const results = await Promise.allSettled([client.query({ query: GenresDocument }), client.query({ query: PlansDocument })]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      // Apollo Client 4 reads the one refusal Apollo Server answers for the whole batch.
      expect((result as PromiseRejectedResult).reason).toMatchObject({
        result: [{ errors: [{ message: 'Operation batching disabled.', extensions: { code: 'BAD_REQUEST' } }] }],
      });
    }
  });
});

describe('urql', () => {
  const urql = (options: Partial<ConstructorParameters<typeof UrqlClient>[0]> = {}) =>
    new UrqlClient({ url: stack.gatewayUrl, exchanges: [fetchExchange], ...options });

  it('is refused by CSRF prevention with its defaults: it sends queries as GET, without a preflight header', async () => {
    const result = await urql().query(GenresDocument, {}).toPromise();
    expect(result.data).toBeUndefined();
    expect(result.error?.response).toMatchObject({ status: 400 });
    expect(result.error?.message).toMatch(/CSRF/);
  });

  it('is answered once it sends apollo-require-preflight (or x-apollo-operation-name), or POSTs every operation', async () => {
    const withHeader = await urql({ fetchOptions: { headers: { 'apollo-require-preflight': 'true' } } })
      .query(GenresDocument, {})
      .toPromise();
    expect(withHeader.error).toBeUndefined();
    expect(withHeader.data?.genres.length).toBeGreaterThan(0);
    const namedGet = await fetch(`${stack.gatewayUrl}?query=${encodeURIComponent('query Genres { genres { id } }')}`, {
      headers: { 'x-apollo-operation-name': 'Genres' },
    });
    expect(namedGet.status).toBe(200);
    const overPost = await urql({ preferGetMethod: false }).query(GenresDocument, {}).toPromise();
    expect(overPost.error).toBeUndefined();
    expect(overPost.data?.genres.length).toBeGreaterThan(0);
  });

  it('sends a mutation as POST with its defaults, and the token as a header', async () => {
    const client = urql({ fetchOptions: { headers: { 'apollo-require-preflight': 'true' } } });
    const login = await client.mutation(LoginDocument, MEMBER).toPromise();
    expect(login.error).toBeUndefined();
    const token = login.data!.login.accessToken;
    const me = await urql({ fetchOptions: () => ({ headers: { 'apollo-require-preflight': 'true', authorization: `Bearer ${token}` } }) })
      .query(MeDocument, {})
      .toPromise();
    expect(me.data?.me?.email).toBe(MEMBER.email);
  });
});
