import { uniqueTag } from '@ott/kit/testing';
import { seedCatalog } from './catalog-fixture';
import { liveClient, type LiveClient } from './live';
import { catalogIds, type CatalogIds, type Member } from './playback';
import { startStack, type Stack } from './stack';

/** Low enough that the tests reach them: 3 subscriptions a connection, 2 connections a member, a ping every second. */
const LIMITS = { SUBSCRIPTIONS_PER_CONNECTION: '3', WS_CONNECTIONS_PER_MEMBER: '2', WS_KEEPALIVE_SECONDS: '1' };

export const UPDATED = `subscription ($id: ID!) { playbackSessionUpdated(sessionId: $id) { id state positionSeconds version } }`;
export const MINE = `subscription { myPlaybackSessions { id state positionSeconds version endReason } }`;

export interface SessionEvent {
  id: string;
  state: string;
  positionSeconds: number;
  version: number;
  endReason?: string | null;
}

/** A stack serving subscriptions over a seeded catalogue, and the graphql-ws clients a test file opens on it. */
export interface LiveStack {
  stack: Stack;
  catalog: CatalogIds;
  /** A graphql-ws client closed by `close`, signed in as `who` unless told otherwise. */
  connect(who: Member | null, url?: string, params?: Record<string, unknown>): LiveClient;
  /** Closes every client `connect` opened, then the stack. */
  close(): Promise<void>;
}

export async function startLiveStack(label: string): Promise<LiveStack> {
  const tag = uniqueTag(label);
  const stack = await startStack(label, ['users', 'catalog', 'ratings', 'billing', 'streaming'], { REDIS_KEY_PREFIX: `t:${tag}:`, ...LIMITS });
  let catalog: CatalogIds;
  try {
    await seedCatalog(stack.subgraphEnvs.catalog!);
    catalog = await catalogIds(stack);
  } catch (error) {
    await stack.close();
    throw error;
  }
  const clients: LiveClient[] = [];
  return {
    stack,
    catalog,
    connect(who, url = stack.gatewayUrl, params) {
      const client = liveClient(url, params ?? (who ? { authorization: `Bearer ${who.token}` } : {}));
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((client) => client.dispose().catch(() => undefined)));
      await stack.close();
    },
  };
}
