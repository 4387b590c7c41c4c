import { expect } from 'vitest';
import { catalogFixture, seedCatalog } from './catalog-fixture';
import { startStack, type Stack } from './stack';

const ADMIN = { email: 'catalog-admin@example.test', password: 'admin-password-1' };

export const BROWSE = `query ($filter: ContentFilter, $sort: ContentSort, $first: Int, $after: String) {
  browse(filter: $filter, sort: $sort, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { __typename id title releaseYear genres { slug } } }
  }
}`;

export interface Node {
  __typename: string;
  id: string;
  title: string;
  releaseYear: number | null;
  genres: { slug: string }[];
}
export interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: Node }[];
}

/** A catalog and users stack over `catalogFixture()`, with an administrator and a member signed in. */
export interface CatalogStack {
  stack: Stack;
  adminToken: string;
  memberToken: string;
  /** Genre ids by slug. */
  genreIds: Record<string, string>;
  /** One page of `browse` through the gateway, which must answer without errors. */
  browse(variables: Record<string, unknown>): Promise<Page>;
  /** Every page of `browse`, `first` at a time. */
  browseAll(variables: Record<string, unknown>, first: number): Promise<{ nodes: Node[]; pages: number; totalCount: number }>;
}

export async function startCatalogStack(label: string): Promise<CatalogStack> {
  const stack = await startStack(label, ['catalog', 'users'], { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
  let signedIn: { adminToken: string; memberToken: string; genreIds: Record<string, string> };
  try {
    await seedCatalog(stack.subgraphEnvs.catalog!, catalogFixture());
    const login = await stack.query<{ login: { accessToken: string } }>(
      `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`,
      ADMIN,
    );
    const register = await stack.query<{ register: { accessToken: string } }>(`mutation ($input: RegisterInput!) { register(input: $input) { accessToken } }`, {
      input: { email: 'viewer@example.test', password: 'a long enough password', displayName: 'Viewer' },
    });
    const genres = await stack.query<{ genres: { id: string; slug: string }[] }>(`{ genres { id slug } }`);
    signedIn = {
      adminToken: login.data!.login.accessToken,
      memberToken: register.data!.register.accessToken,
      genreIds: Object.fromEntries(genres.data!.genres.map((g) => [g.slug, g.id])),
    };
  } catch (error) {
    await stack.close();
    throw error;
  }

  async function browse(variables: Record<string, unknown>) {
    const response = await stack.query<{ browse: Page }>(BROWSE, variables);
    expect(response.errors).toBeUndefined();
    return response.data!.browse;
  }

  async function browseAll(variables: Record<string, unknown>, first: number) {
    const nodes: Node[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: Page = await browse({ ...variables, first, after });
      nodes.push(...page.edges.map((e) => e.node));
      pages += 1;
      if (!page.pageInfo.hasNextPage) return { nodes, pages, totalCount: page.totalCount };
      after = page.pageInfo.endCursor;
    }
  }

  return {
    stack,
    ...signedIn,
    browse,
    browseAll,
  };
}
