import mongoose from 'mongoose';
import { expect } from 'vitest';
import { importCatalog } from '@ott/catalog/import';
import type { CatalogSeed, SeedContent } from '@ott/catalog/import';
import { createModels } from '@ott/catalog/models';
import type { Stack } from './stack';

const TITLES = [
  'Star Quest',
  'Lone Star',
  'Starlight Express',
  'The Stars Above',
  'Dark Star',
  'Mustard Seeds',
  'Amélie',
  'Harbor Nights',
  'Quiet Rooms',
  'Iron Orchard',
  'Paper Moons',
  'Glass Houses',
  'Night Shift',
  'Blue Valley',
  'The Long Road',
  'Red Signal',
  'Salt & Pepper',
  'Winter Tides',
  'Echo Park',
  'Golden Hour',
  'Open Water',
  'Last Train',
  'City of Kites',
  'Zero Hour',
];

/** A small catalogue whose values repeat, so every sort has ties and missing values. */
export function catalogFixture(): CatalogSeed {
  const movies: SeedContent[] = TITLES.map((title, i) => ({
    externalId: `fixture:movie-${i}`,
    kind: 'MOVIE',
    title,
    synopsis: `Fixture film number ${i}.`,
    genreSlugs: [i % 2 === 0 && 'drama', i % 3 === 0 && 'comedy', i % 5 === 1 && 'science-fiction'].filter((g): g is string => Boolean(g)),
    releaseYear: i % 7 === 3 ? null : 1980 + (i % 10),
    maturityRating: 'PG',
    runtimeMinutes: 90 + i,
    director: `Director ${i % 4}`,
    initial: { featured: i < 3, popularity: 1_000 * ((i * 13) % 17), rating: i % 6 === 2 ? null : 5 + (i % 5), ratingCount: 0 },
  }));
  const shows: SeedContent[] = ['Starfall Station', 'Harbor Lights', 'Kitchen Wars'].map((title, i) => ({
    externalId: `fixture:show-${i}`,
    kind: 'TV_SHOW',
    title,
    synopsis: `Fixture series number ${i}.`,
    genreSlugs: [['science-fiction', 'drama'], ['drama'], ['comedy']][i]!,
    releaseYear: 2000 + i,
    maturityRating: 'TV-14',
    initial: { featured: false, popularity: 500 * i, rating: 7 + i / 2, ratingCount: 0 },
  }));
  return {
    genres: [
      { slug: 'drama', name: 'Drama' },
      { slug: 'comedy', name: 'Comedy' },
      { slug: 'science-fiction', name: 'Science Fiction' },
      { slug: 'documentary', name: 'Documentary' },
    ],
    contents: [...movies, ...shows],
    episodes: shows.flatMap((show, i) =>
      [2, 1].flatMap((season) =>
        [3, 1, 2].map((episode) => ({
          showExternalId: show.externalId,
          seasonNumber: season,
          episodeNumber: episode,
          title: `Show ${i} S${season}E${episode}`,
          runtimeMinutes: 30,
        })),
      ),
    ),
  };
}

/** Loads a seed into a catalog subgraph's own database, as its seed command would. */
export async function seedCatalog(env: NodeJS.ProcessEnv, seed: CatalogSeed = catalogFixture()) {
  const connection = await mongoose.createConnection(env.MONGODB_URL!, { dbName: env.MONGODB_DB }).asPromise();
  try {
    return await importCatalog(createModels(connection), seed);
  } finally {
    await connection.close();
  }
}

/** Creates a film through the gateway as the administrator whose token is given; answers its id. */
export async function createMovie(stack: Pick<Stack, 'query'>, adminToken: string, title: string): Promise<string> {
  const response = await stack.query<{ createMovie: { id: string } }>(
    `mutation ($input: MovieInput!) { createMovie(input: $input) { id } }`,
    { input: { title, genreIds: [] } },
    { token: adminToken },
  );
  expect(response.errors).toBeUndefined();
  return response.data!.createMovie.id;
}
