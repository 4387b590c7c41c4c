import type { ContentKind } from '../content/content.model';

/** What an import loads: plain data, upserted by each record's natural or external key. */
export interface CatalogSeed {
  genres: SeedGenre[];
  contents: SeedContent[];
  episodes: SeedEpisode[];
}

export interface SeedGenre {
  slug: string;
  name: string;
}

export interface SeedContent {
  externalId: string;
  kind: ContentKind;
  title: string;
  synopsis: string | null;
  genreSlugs: string[];
  releaseYear: number | null;
  maturityRating: string | null;
  runtimeMinutes?: number | null;
  director?: string | null;
  /** Initial values only: once stored they belong to editors, streaming and ratings. */
  initial: { featured: boolean; popularity: number; rating: number | null; ratingCount: number };
}

export interface SeedEpisode {
  showExternalId: string;
  seasonNumber: number;
  episodeNumber: number;
  title: string;
  runtimeMinutes: number | null;
}
