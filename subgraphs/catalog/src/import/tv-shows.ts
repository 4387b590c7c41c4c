import { ContentKind } from '../content/content.model';
import { slugify } from '../content/title';
import type { CatalogSeed, SeedContent, SeedEpisode, SeedGenre } from './seed';

/**
 * The film dataset has no series, so these are generated: invented titles, but the same ones
 * on every run (a fixed-seed generator), so re-imports upsert instead of adding.
 */
const FIRST = ['Northern', 'Silent', 'Broken', 'Golden', 'Hidden', 'Last', 'Iron', 'Crimson', 'Distant', 'Quiet', 'Wild', 'Hollow'];
const SECOND = ['Harbor', 'Frontier', 'Kingdom', 'Signal', 'Orchard', 'Protocol', 'Station', 'Tides', 'Empire', 'Circuit', 'Valley', 'Lanterns'];
const GENRES = ['Drama', 'Comedy', 'Thriller/Suspense', 'Adventure', 'Action', 'Horror', 'Documentary', 'Science Fiction', 'Fantasy', 'Crime', 'Animation'];
const PEOPLE = ['a retired detective', 'two estranged sisters', 'a young engineer', 'a small-town doctor', 'a crew of smugglers', 'a disgraced chef'];
const STAKES = [
  'uncovers a conspiracy',
  'fights to save the family business',
  'chases a ghost from the past',
  'builds something new',
  'survives a long winter',
];
const EPISODE_WORDS = [
  'Arrival',
  'Crossing',
  'The Storm',
  'Old Debts',
  'Signals',
  'Thaw',
  'Ashes',
  'Homecoming',
  'Fault Lines',
  'The Offer',
  'Reckoning',
  'First Light',
];
const RATINGS = ['TV-PG', 'TV-14', 'TV-MA'];
export const TV_SHOW_COUNT = 36;

/** mulberry32: a tiny deterministic PRNG; the same seed yields the same catalogue. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!,
  };
}

export function tvShowsSeed(count = TV_SHOW_COUNT): CatalogSeed {
  const rng = random(20_240_601);
  const genres = new Map<string, SeedGenre>();
  const contents: SeedContent[] = [];
  const episodes: SeedEpisode[] = [];
  for (let i = 0; i < count; i += 1) {
    const first = i % FIRST.length;
    const second = (first + 1 + Math.floor(i / FIRST.length) * 5) % SECOND.length;
    const title = `The ${FIRST[first]} ${SECOND[second]}`;
    const externalId = `tv:${slugify(title)}`;
    const showGenres = [...new Set([rng.pick(GENRES), rng.pick(GENRES)])].slice(0, rng.int(1, 2));
    for (const name of showGenres) genres.set(slugify(name), { slug: slugify(name), name });
    const releaseYear = rng.int(1995, 2023);
    const rating = rng.int(55, 93) / 10;
    contents.push({
      externalId,
      kind: ContentKind.TV_SHOW,
      title,
      synopsis: `${showGenres[0]} series: ${rng.pick(PEOPLE)} ${rng.pick(STAKES)}.`,
      genreSlugs: showGenres.map((name) => slugify(name)),
      releaseYear,
      maturityRating: rng.pick(RATINGS),
      initial: { featured: i % 9 === 0, popularity: rng.int(1_000, 400_000), rating, ratingCount: 0 },
    });
    const runtime = rng.pick([22, 30, 45, 55]);
    const seasons = rng.int(1, 4);
    for (let season = 1; season <= seasons; season += 1) {
      const count = rng.int(6, 10);
      for (let episode = 1; episode <= count; episode += 1) {
        episodes.push({
          showExternalId: externalId,
          seasonNumber: season,
          episodeNumber: episode,
          title: `${rng.pick(EPISODE_WORDS)} (${season}×${String(episode).padStart(2, '0')})`,
          runtimeMinutes: runtime + rng.int(-3, 3),
        });
      }
    }
  }
  return { genres: [...genres.values()], contents, episodes };
}
