import DataLoader from 'dataloader';
import type { EntityClient, EntityRef } from '@ott/kit';

export interface TitleEpisode {
  id: string;
  seasonNumber: number;
  episodeNumber: number;
  runtimeSeconds: number | null;
}

/** What playback needs to know of a title that catalog has available. */
export interface Title {
  id: string;
  kind: 'MOVIE' | 'TV_SHOW';
  /** Films only; an episode has its own. */
  runtimeSeconds: number | null;
  /** Shows only: every episode in order (season, then episode). */
  episodes: TitleEpisode[];
}

/** Asked inside `... on Content`: the runtime of a film, the seasons of a show. */
export const TITLE_SELECTION = '... on Movie { runtimeMinutes } ... on TvShow { seasons { number episodes { id episodeNumber runtimeMinutes } } }';

interface TitleFields {
  runtimeMinutes?: number | null;
  seasons?: { number: number; episodes: { id: string; episodeNumber: number; runtimeMinutes: number | null }[] }[];
}

const toSeconds = (minutes: number | null | undefined) => (typeof minutes === 'number' && minutes > 0 ? Math.round(minutes * 60) : null);

function toTitle(ref: EntityRef): Title | null {
  const fields = (ref.fields ?? {}) as TitleFields;
  if (ref.typename === 'Movie') return { id: ref.id, kind: 'MOVIE', runtimeSeconds: toSeconds(fields.runtimeMinutes), episodes: [] };
  if (ref.typename !== 'TvShow') return null;
  const episodes = (fields.seasons ?? []).flatMap((season) =>
    season.episodes.map((episode) => ({
      id: episode.id,
      seasonNumber: season.number,
      episodeNumber: episode.episodeNumber,
      runtimeSeconds: toSeconds(episode.runtimeMinutes),
    })),
  );
  return { id: ref.id, kind: 'TV_SHOW', runtimeSeconds: null, episodes };
}

/**
 * Catalog's titles as playback sees them, through catalog's `_entities` (batched per request,
 * cached in Redis). Removed titles answer `available: false` there and count as absent here;
 * catalog's content-deleted events make this forget every cached answer (`invalidate`).
 */
export class CatalogTitles {
  constructor(private readonly client: EntityClient) {}

  /** One batched, cached lookup per request. */
  createLoader(requestId: string): DataLoader<string, Title | null> {
    return new DataLoader(async (ids) => {
      const found = await this.client.lookup(ids, requestId);
      return ids.map((id) => {
        const ref = found.get(id);
        return ref ? toTitle(ref) : null;
      });
    });
  }

  /** Catalog's answer now, past the cache: for an episode added since the title was cached. */
  async fresh(id: string, requestId: string): Promise<Title | null> {
    const ref = (await this.client.lookupFresh([id], requestId)).get(id);
    return ref ? toTitle(ref) : null;
  }

  /** Which of these titles catalog still has available. */
  async available(ids: readonly string[], requestId: string): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    return new Set((await this.client.lookup(ids, requestId)).keys());
  }

  invalidate(): Promise<void> {
    return this.client.invalidate();
  }
}
