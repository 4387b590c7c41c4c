import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { publicChanges, publicChangesChannel } from '@ott/events';
import { decodeOrWarn, type Logger, type RedisClient } from '@ott/kit';
import type { GatewayContext } from './context';
import type { SubgraphHook } from './transport/subgraph-call';

/** Each subgraph's count of announced changes: replaced, never changed, so a request can hold the one it started with. */
type Versions = ReadonlyMap<string, number>;

interface Kept {
  data: Record<string, unknown>;
  maxAge: number;
  storedAt: number;
  /** The subgraphs that answered, and their versions when the request that stored it began. */
  answeredBy: [string, number][];
}

export interface PublicAnswersOptions {
  /** RESPONSE_CACHE_MAX_AGE_SECONDS: the longest an answer is kept, whatever the subgraphs allow. */
  maxAgeSeconds: number;
  /** How many answers are kept; the least recently used go first. */
  maxEntries?: number;
}

/**
 * Whole answers to queries whose every part is public, kept in the gateway's memory and
 * answered again to anyone who asks the same operation with the same variables.
 *
 * - What is public is what the subgraphs declare: their @cacheControl hints reach the gateway
 *   as Cache-Control on each answer, and the transport's cache hints hook restricts the
 *   operation's policy with them. Anything that touches a member's own data (my-list, ratings, streaming's sessions,
 *   billing, users) declares no max-age, so no answer including it is kept; nor is an answer
 *   with errors.
 * - Kept no longer than the subgraphs allowed and `maxAgeSeconds`, and no longer than the
 *   data it came from: a subgraph announces every change of its public data
 *   (catalog's CatalogueVersionFeed), and an answer is not used again once one of the subgraphs that
 *   answered it has announced a change since the request that stored it began. After Redis
 *   reconnects, when announcements may have been missed, everything kept is dropped.
 * - A kept answer still spends the caller's request budget and passes the cost limit; it
 *   skips planning and every subgraph call, and carries an Age header.
 */
export class PublicAnswers {
  private readonly kept = new Map<string, Kept>();
  /** The subgraphs called for each request so far, fed by `subgraphHook`: the answer is kept with them. */
  private readonly answeredBy = new WeakMap<Partial<GatewayContext>, Set<string>>();
  private versions: Versions = new Map();
  private readonly maxEntries: number;

  constructor(private readonly options: PublicAnswersOptions) {
    this.maxEntries = options.maxEntries ?? 5_000;
  }

  /** A subgraph announced a change of its public data. */
  changed(subgraph: string): void {
    const next = new Map(this.versions);
    next.set(subgraph, (next.get(subgraph) ?? 0) + 1);
    this.versions = next;
  }

  /** Forgets everything kept (announcements may have been missed). */
  clear(): void {
    this.kept.clear();
  }

  get size(): number {
    return this.kept.size;
  }

  /**
   * Follows the subgraphs' announcements on `events` (a subscriber connection without a key
   * prefix), from now and after every reconnect; each reconnect also drops everything kept,
   * since what was announced meanwhile is unknown.
   */
  listen(events: RedisClient, keyPrefix: string, logger: Logger): void {
    const channel = publicChangesChannel(keyPrefix);
    events.on('message', (from: string, message: string) => {
      if (from !== channel) return;
      const change = decodeOrWarn(publicChanges, message, logger, { channel });
      if (change) this.changed(change.subgraph);
    });
    const follow = () =>
      events
        .subscribe(channel)
        .catch((err: Error) =>
          logger.warn({ err: { message: err.message }, channel }, 'not following public data changes: kept answers live until their max-age'),
        );
    events.on('ready', () => {
      this.clear();
      void follow();
    });
    if (events.status === 'ready') void follow();
  }

  /** Notes each subgraph a request calls (a hook of every SubgraphSource, transport/chain.ts). */
  readonly subgraphHook: SubgraphHook = {
    prepare: ({ context, subgraph }) => {
      this.answeredBy.get(context)?.add(subgraph);
    },
  };

  plugin(): ApolloServerPlugin<GatewayContext> {
    const { maxAgeSeconds } = this.options;
    return {
      requestDidStart: async ({ overallCachePolicy, contextValue }) => {
        // Clients are told the same bound; subgraph answers can only lower it.
        overallCachePolicy.restrict({ maxAge: maxAgeSeconds });
        const versions = this.versions;
        const answeredBy = new Set<string>();
        this.answeredBy.set(contextValue, answeredBy);
        let key: string | undefined;
        let hit = false;
        return {
          responseForOperation: async ({ operation, queryHash, operationName, request }) => {
            if (operation.operation !== 'query') return null;
            key = `${queryHash}\n${operationName ?? ''}\n${JSON.stringify(request.variables ?? {})}`;
            const kept = this.use(key);
            if (!kept) return null;
            hit = true;
            const ageSeconds = Math.floor((Date.now() - kept.storedAt) / 1000);
            overallCachePolicy.replace({ maxAge: kept.maxAge - ageSeconds, scope: 'PUBLIC' });
            return {
              body: { kind: 'single', singleResult: { data: kept.data } },
              http: { status: undefined, headers: new HeaderMap([['age', String(ageSeconds)]]) },
            };
          },
          willSendResponse: async ({ response }) => {
            if (hit || !key || response.body.kind !== 'single') return;
            const { data, errors } = response.body.singleResult;
            const policy = overallCachePolicy.policyIfCacheable();
            if (errors || !data || !policy || policy.scope === 'PRIVATE') return;
            this.keep(key, { data, maxAge: policy.maxAge, storedAt: Date.now(), answeredBy: [...answeredBy].map((name) => [name, versions.get(name) ?? 0]) });
          },
        };
      },
    };
  }

  /** A kept answer still good for the asking, moved to the most recently used end. */
  private use(key: string): Kept | undefined {
    const kept = this.kept.get(key);
    if (!kept) return undefined;
    const fresh = Date.now() - kept.storedAt < kept.maxAge * 1000 && kept.answeredBy.every(([name, version]) => (this.versions.get(name) ?? 0) === version);
    this.kept.delete(key);
    if (!fresh) return undefined;
    this.kept.set(key, kept);
    return kept;
  }

  private keep(key: string, kept: Kept): void {
    this.kept.delete(key);
    this.kept.set(key, deepFreeze(kept));
    if (this.kept.size > this.maxEntries) this.kept.delete(this.kept.keys().next().value!);
  }
}

/** A kept answer is handed to every later caller: nothing may change it on the way out. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
