import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ContentKind } from '../content/content.model';
import { slugify } from '../content/title';
import type { CatalogSeed, SeedContent, SeedGenre } from './seed';
import { repairMojibake } from './text-repair';

/** One record of vega-datasets' movies.json, as shipped (field names with spaces). */
export interface VegaMovie {
  Title: string | number | null;
  'Release Date': string | null;
  'MPAA Rating': string | null;
  'Running Time min': number | null;
  Distributor: string | null;
  Source: string | null;
  'Major Genre': string | null;
  'Creative Type': string | null;
  Director: string | null;
  'IMDB Rating': number | null;
  'IMDB Votes': number | null;
}

/** Creative types that are genres in their own right; the others ("Contemporary Fiction") are not. */
const GENRE_CREATIVE_TYPES: Record<string, string> = {
  'Science Fiction': 'Science Fiction',
  Fantasy: 'Fantasy',
  'Super Hero': 'Super Hero',
  'Historical Fiction': 'Historical',
  'Kids Fiction': 'Family',
};

/** The dataset ends in 2011; its two-digit years put some 1920s–40s films a century late. */
const LAST_YEAR_OF_DATASET = 2011;
const FEATURED_COUNT = 12;

/** The package exports only its code, so the data file is found beside the entry point. */
export function readVegaMovies(): VegaMovie[] {
  const packageRoot = join(dirname(require.resolve('vega-datasets')), '..');
  return JSON.parse(readFileSync(join(packageRoot, 'data', 'movies.json'), 'utf8')) as VegaMovie[];
}

function releaseYear(date: string | null): number | null {
  const year = Number(date?.match(/(\d{4})$/)?.[1]);
  if (!Number.isInteger(year) || year === 0) return null;
  return year > LAST_YEAR_OF_DATASET ? year - 100 : year;
}

function synopsis(genre: string | null, year: number | null, director: string | null, distributor: string | null, source: string | null): string {
  const what = `${genre ?? 'Film'}${year ? ` from ${year}` : ''}`;
  const who = [director && `directed by ${director}`, distributor && `released by ${distributor}`].filter(Boolean).join(', ');
  return `${what}${who ? `, ${who}` : ''}.${source ? ` ${source}.` : ''}`;
}

/**
 * Maps the films to seed records: records without a title are skipped; the external id is
 * the title's slug and year, numbered in dataset order should two ever collide.
 */
export function vegaMoviesSeed(records: readonly VegaMovie[]): Pick<CatalogSeed, 'genres' | 'contents'> {
  const genres = new Map<string, SeedGenre>();
  const addGenre = (name: string) => {
    const genre = { slug: slugify(name), name };
    genres.set(genre.slug, genre);
    return genre.slug;
  };
  const taken = new Map<string, number>();
  const contents: SeedContent[] = [];
  for (const record of records) {
    const title = record.Title == null ? '' : repairMojibake(String(record.Title)).trim();
    if (title.length === 0) continue;
    const year = releaseYear(record['Release Date']);
    const baseId = `vega:${slugify(title) || 'untitled'}-${year ?? 'undated'}`;
    const seen = taken.get(baseId) ?? 0;
    taken.set(baseId, seen + 1);
    const genreNames = [record['Major Genre'], GENRE_CREATIVE_TYPES[record['Creative Type'] ?? '']].filter((g): g is string => Boolean(g));
    const director = record.Director ? repairMojibake(record.Director) : null;
    const rating = record['IMDB Rating'];
    contents.push({
      externalId: seen === 0 ? baseId : `${baseId}-${seen + 1}`,
      kind: ContentKind.MOVIE,
      title,
      synopsis: synopsis(record['Major Genre'], year, director, record.Distributor, record.Source),
      genreSlugs: genreNames.map(addGenre),
      releaseYear: year,
      maturityRating: record['MPAA Rating'] && record['MPAA Rating'] !== 'Open' ? record['MPAA Rating'] : null,
      runtimeMinutes: record['Running Time min'],
      director,
      initial: { featured: false, popularity: record['IMDB Votes'] ?? 0, rating, ratingCount: 0 },
    });
  }
  const mostVoted = [...contents].sort((a, b) => b.initial.popularity - a.initial.popularity).slice(0, FEATURED_COUNT);
  for (const content of mostVoted) content.initial.featured = true;
  return { genres: [...genres.values()], contents };
}
