import DataLoader from 'dataloader';
import type { VersionedCache } from './cache';
import { appError, ErrorCode } from './errors';
import type { Logger } from './logger';

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
  timeoutMs?: number;
}

/** What the owner told us about one existing entity: its id and concrete type. */
export interface EntityRef {
  id: string;
  typename: string;
}

interface EntitiesResponse {
  data?: { _entities: ({ id: string; __typename: string; [field: string]: unknown } | null)[] } | null;
  errors?: { message: string }[];
}

/**
 * Asks the subgraph that owns an entity which ids exist, through its `_entities` field: the
 * same door the gateway uses, so the owner's rules apply and no database is shared
 * (shared/design.md, "Data ownership"). Existing entities are cached; unknown ids are not,
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

  /** Forgets every cached "exists" answer of this typename (one version bump). */
  async invalidate(): Promise<void> {
    await this.cache?.bump(this.options.typename);
  }

  private async fetchExisting(ids: string[], requestId: string): Promise<Map<string, EntityRef>> {
    const { url, typename, availableField, timeoutMs = 3_000 } = this.options;
    const selection = availableField ? `id __typename ${availableField}` : 'id __typename';
    const query = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on ${typename} { ${selection} } } }`;
    const representations = ids.map((id) => ({ __typename: typename, id }));
    let body: EntitiesResponse;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': requestId },
        body: JSON.stringify({ query, variables: { representations } }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      body = (await response.json()) as EntitiesResponse;
    } catch (err) {
      this.logger.error({ err, url, typename }, 'owning subgraph unreachable');
      throw appError(ErrorCode.INTERNAL_SERVER_ERROR, `could not reach the ${typename} owner`);
    }
    if (!body.data?._entities) {
      this.logger.error({ url, typename, errors: body.errors?.map((e) => e.message) }, 'owning subgraph answered with errors');
      throw appError(ErrorCode.INTERNAL_SERVER_ERROR, `the ${typename} owner answered with errors`);
    }
    const found = new Map<string, EntityRef>();
    for (const entity of body.data._entities) {
      if (entity && (!availableField || entity[availableField] === true)) found.set(entity.id, { id: entity.id, typename: entity.__typename });
    }
    return found;
  }
}
