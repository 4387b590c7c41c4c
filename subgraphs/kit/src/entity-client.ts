import DataLoader from 'dataloader';
import type { VersionedCache } from './cache';
import { SUBGRAPH_SECRET_HEADER } from './config';
import { appError, ErrorCode } from './errors';
import type { Logger } from './logger';
import { currentDatabaseBudget, DEADLINE_HEADER, DeadlinePassedError } from './database-budget';

export interface EntityClientOptions {
  /** The owning subgraph's GraphQL URL. */
  url: string;
  /** The entity type to ask for, e.g. "Content". */
  typename: string;
  /**
   * A Boolean field the entity must have true to count as existing (e.g. "available" of
   * catalog's Content, false for a removed title that still resolves). Entities answering
   * false are treated as absent and never cached as existing.
   */
  availableField?: string;
  /**
   * More of the entity to keep with each reference, as a selection inside
   * `... on <typename>` (e.g. `... on Movie { runtimeMinutes }`); cached with it.
   */
  selection?: string;
  timeoutMs?: number;
  /** SUBGRAPH_SHARED_SECRET, when the owner answers only those who send it. */
  sharedSecret?: string;
}

/** What the owner told us about one existing entity: its id and concrete type. */
export interface EntityRef {
  id: string;
  typename: string;
  /** What `selection` asked for, as the owner answered it. */
  fields?: Record<string, unknown>;
}

export interface SubgraphCall {
  url: string;
  query: string;
  variables?: Record<string, unknown>;
  /** Always sent with the request id; add the caller's Authorization where the owner's rules need it. */
  headers?: Record<string, string>;
  /** SUBGRAPH_SHARED_SECRET, when the owner answers only those who send it. */
  sharedSecret?: string;
  requestId: string;
  /** Names the owner in logs and in the masked error, e.g. "Content owner". */
  owner: string;
  timeoutMs?: number;
}

/**
 * One internal GraphQL call to another subgraph. An unreachable owner or an answer without
 * data is logged and surfaces as INTERNAL_SERVER_ERROR: the caller's client cannot fix it.
 */
export async function callSubgraph<T>(call: SubgraphCall, logger: Logger): Promise<T> {
  // Within a request, the call waits no longer than the gateway does, and tells the owner so.
  const deadline = currentDatabaseBudget()?.deadline ?? Number.POSITIVE_INFINITY;
  const timeoutMs = Math.min(call.timeoutMs ?? 3_000, deadline - Date.now());
  if (timeoutMs <= 0) throw new DeadlinePassedError();
  let body: { data?: T | null; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    const response = await fetch(call.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-request-id': call.requestId,
        ...(Number.isFinite(deadline) ? { [DEADLINE_HEADER]: String(deadline) } : {}),
        ...(call.sharedSecret ? { [SUBGRAPH_SECRET_HEADER]: call.sharedSecret } : {}),
        ...call.headers,
      },
      body: JSON.stringify({ query: call.query, variables: call.variables ?? {} }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    body = (await response.json()) as typeof body;
  } catch (err) {
    logger.error({ err, url: call.url, owner: call.owner }, 'owning subgraph unreachable');
    throw appError(ErrorCode.INTERNAL_SERVER_ERROR, `could not reach the ${call.owner}`);
  }
  if (!body.data) {
    const errors = body.errors?.map((e) => ({ message: e.message, code: e.extensions?.code }));
    logger.error({ url: call.url, owner: call.owner, errors }, 'owning subgraph answered with errors');
    throw appError(ErrorCode.INTERNAL_SERVER_ERROR, `the ${call.owner} answered with errors`);
  }
  return body.data;
}

/**
 * Asks the subgraph that owns an entity which ids exist, through its `_entities` field: the
 * same door the gateway uses, so the owner's rules apply and no database is shared
 * (docs/architecture.md, "Data ownership"). Existing entities are cached; unknown ids are not,
 * so content created a moment ago is found at once. An owner that removes an entity tells its
 * callers (an event), and they call `invalidate()` so "exists" is not reused until the TTL.
 */
export class EntityClient {
  constructor(
    private readonly options: EntityClientOptions,
    private readonly logger: Logger,
    private readonly cache?: VersionedCache,
  ) {}

  /** A per-request loader: every lookup of one request goes out as one batched call. */
  createLoader(requestId: string): DataLoader<string, EntityRef | null> {
    return new DataLoader(async (ids) => {
      const found = await this.lookup(ids, requestId);
      return ids.map((id) => found.get(id) ?? null);
    });
  }

  async lookup(ids: readonly string[], requestId: string): Promise<Map<string, EntityRef>> {
    const load = (missing: string[]) => this.fetchExisting(missing, requestId);
    return this.cache ? this.cache.getOrLoadMany(this.options.typename, ids, load) : load([...ids]);
  }

  /** Asks the owner past the cache, for an answer that may have changed since it was cached. */
  lookupFresh(ids: readonly string[], requestId: string): Promise<Map<string, EntityRef>> {
    return this.fetchExisting([...ids], requestId);
  }

  /** Forgets every cached "exists" answer of this typename (one version bump). */
  async invalidate(): Promise<void> {
    await this.cache?.bump(this.options.typename);
  }

  private async fetchExisting(ids: string[], requestId: string): Promise<Map<string, EntityRef>> {
    const { url, typename, availableField, selection, timeoutMs, sharedSecret } = this.options;
    const fields = ['id __typename', availableField, selection].filter(Boolean).join(' ');
    const query = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on ${typename} { ${fields} } } }`;
    const representations = ids.map((id) => ({ __typename: typename, id }));
    const data = await callSubgraph<{ _entities: ({ id: string; __typename: string; [field: string]: unknown } | null)[] }>(
      { url, query, variables: { representations }, requestId, owner: `${typename} owner`, timeoutMs, sharedSecret },
      this.logger,
    );
    if (!data._entities) {
      this.logger.error({ url, typename }, 'owning subgraph answered _entities with null');
      throw appError(ErrorCode.INTERNAL_SERVER_ERROR, `the ${typename} owner answered with errors`);
    }
    const found = new Map<string, EntityRef>();
    for (const entity of data._entities) {
      if (!entity || (availableField && entity[availableField] !== true)) continue;
      const { id, __typename, ...rest } = entity;
      found.set(id, selection ? { id, typename: __typename, fields: rest } : { id, typename: __typename });
    }
    return found;
  }
}
