// The gateways bench's requests: the three pages repeated as one member asks for them, and
// workloads where no two requests are alike (distinctWorkloads).
import { gql } from '../support/graph.mjs';

export const HOME = `query Home { me { myList(first: 20) { totalCount edges { node { addedAt content { id title posterUrl genres { name } ... on Movie { runtimeMinutes } } } } } } }`;
export const CATALOGUE = `query Catalogue { browse(first: 20, sort: POPULARITY_DESC) { totalCount edges { cursor node { id title releaseYear posterUrl genres { name } ... on Movie { runtimeMinutes } } } pageInfo { hasNextPage endCursor } } }`;
export const TITLE = `query Title($id: ID!) { content(id: $id) { id title synopsis releaseYear maturityRating genres { name } ... on Movie { runtimeMinutes }
  averageRating ratingsCount myRating { score } inMyList playCount similar(first: 6) { id title posterUrl } } }`;

const HOME_VARIED = `query Home($first: Int!) { me { myList(first: $first) { totalCount edges { node { addedAt content { id title posterUrl genres { name } ... on Movie { runtimeMinutes } } } } } } }`;
const BROWSE_VARIED = `query Browse($first: Int!, $sort: ContentSort, $filter: ContentFilter) { browse(first: $first, sort: $sort, filter: $filter) { totalCount edges { cursor node { id title releaseYear posterUrl genres { name } } } pageInfo { hasNextPage endCursor } } }`;
const RATE = `mutation Rate($id: ID!, $score: Int!) { rateContent(contentId: $id, score: $score) { id score } }`;

/**
 * Workloads where no two requests are alike, as a frontend's traffic is: distinct members
 * (one per connection at the most connections measured), each with a list of its own, varied
 * titles and arguments, and a mix of pages and ratings. Consecutive requests never share a
 * member, so no two identical requests are in flight, and the lists are long enough that no
 * request repeats within a run: in-flight sharing and kept public answers cannot serve them.
 */
export async function distinctWorkloads(gatewayUrl, members) {
  const titles = [];
  for (let after = null; titles.length < 400;) {
    const { browse } = await gql(
      gatewayUrl,
      `query ($after: String) { browse(first: 100, sort: POPULARITY_DESC, after: $after) { edges { node { id } } pageInfo { endCursor } } }`,
      { after },
    );
    titles.push(...browse.edges.map(({ node }) => node.id));
    after = browse.pageInfo.endCursor;
  }
  const { genres } = await gql(gatewayUrl, `{ genres { slug } }`);
  const tokens = [];
  for (let m = 0; m < members; m++) {
    const { register } = await gql(gatewayUrl, `mutation ($input: RegisterInput!) { register(input: $input) { accessToken } }`, {
      input: { email: `distinct-${m}@example.test`, password: 'bench-password-1', displayName: `Member ${m}` },
    });
    tokens.push(register.accessToken);
    // A list of its own: 20 titles from a window that moves with the member.
    for (let k = 0; k < 20; k++)
      await gql(
        gatewayUrl,
        `mutation ($id: ID!) { addToMyList(contentId: $id) { id } }`,
        { id: titles[(m * 7 + k * 13) % titles.length] },
        register.accessToken,
      );
  }
  const SIZE = 60_000;
  const member = (i) => tokens[i % tokens.length];
  const home = (i) => ({ query: HOME_VARIED, variables: { first: 10 + (Math.floor(i / tokens.length) % 11) }, token: member(i) });
  const title = (i) => ({ query: TITLE, variables: { id: titles[(i * 37) % titles.length] }, token: member(i) });
  const SORTS = ['TITLE', 'RELEASE_YEAR_DESC', 'POPULARITY_DESC', 'RATING_DESC'];
  // i in mixed radix (page size, sort, genre, first year): no two catalogue pages of the list alike.
  const page = (i) => {
    const sort = Math.floor(i / 15) % 4;
    const genre = Math.floor(i / 60) % genres.length;
    const year = Math.floor(i / (60 * genres.length)) % 90;
    return {
      query: BROWSE_VARIED,
      variables: { first: 10 + (i % 15), sort: SORTS[sort], filter: { genreSlug: genres[genre].slug, releaseYearFrom: 1925 + year } },
    };
  };
  const rate = (i) => ({ query: RATE, variables: { id: titles[(i * 53) % titles.length], score: 1 + (i % 10) }, token: member(i) });
  // Of every 10 requests: 4 home screens, 3 title pages, 2 catalogue pages, 1 rating.
  const MIX = [home, title, page, home, title, rate, home, page, title, home];
  return [
    { name: 'home screen, own member per connection (no sharing)', distinct: true, requests: Array.from({ length: SIZE }, (_, i) => home(i)) },
    { name: 'title page, varied title and member (no sharing)', distinct: true, requests: Array.from({ length: SIZE }, (_, i) => title(i)) },
    {
      name: 'mix: home, title, catalogue pages, ratings (no sharing)',
      distinct: true,
      requests: Array.from({ length: SIZE }, (_, i) => MIX[i % MIX.length](i)),
    },
  ];
}
