import { bulkWriteInBatches, isDuplicateKeyError } from '@ott/kit';
import { announceChange, type CatalogueChange } from '../catalogue/catalogue.version';

/** How the import makes its writes known: CatalogueChanges.record where Redis is at hand, the database's version alone otherwise. */
type Announce = (change: CatalogueChange) => Promise<unknown>;
import { ContentKind, sortKeys } from '../content/content.model';
import { normalizeTitle } from '../content/title';
import type { CatalogModels } from '../models';
import type { CatalogSeed, SeedContent } from './seed';
import { tvShowsSeed } from './tv-shows';
import { readVegaMovies, vegaMoviesSeed, type VegaMovie } from './vega-movies';

export interface WriteCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

export interface ImportResult {
  genres: WriteCounts;
  contents: WriteCounts;
  episodes: WriteCounts;
}

/** The real films of vega-datasets plus the generated series: what a fresh catalogue holds. */
export function defaultSeed(movies: readonly VegaMovie[] = readVegaMovies()): CatalogSeed {
  const films = vegaMoviesSeed(movies);
  const shows = tvShowsSeed();
  const genres = new Map([...films.genres, ...shows.genres].map((genre) => [genre.slug, genre]));
  return { genres: [...genres.values()], contents: [...films.contents, ...shows.contents], episodes: shows.episodes };
}

const counts = (): WriteCounts => ({ inserted: 0, updated: 0, unchanged: 0 });

/** Inserts that lost a race with a concurrent import are not errors: the record is there. */
async function insertIgnoringDuplicates(insert: () => Promise<unknown>): Promise<void> {
  try {
    await insert();
  } catch (error) {
    const writeErrors = (error as { writeErrors?: unknown[] }).writeErrors;
    const onlyDuplicates =
      isDuplicateKeyError(error) || (Array.isArray(writeErrors) && writeErrors.every((e) => isDuplicateKeyError((e as { err?: unknown }).err ?? e)));
    if (!onlyDuplicates) throw error;
  }
}

/** Compares the fields an import owns; key order is fixed by the caller's object literal. */
const same = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  Object.keys(a).every((key) => JSON.stringify(a[key] ?? null) === JSON.stringify(b[key] ?? null));

/**
 * Upserts a seed by stable keys (genre slug, content external id, show + season + episode),
 * writing only what differs, so a second run of the same seed changes nothing. Fields that
 * others own once stored (featured, popularity, rating) are set on insert only.
 */
export async function importCatalog(
  models: CatalogModels,
  seed: CatalogSeed,
  record: Announce = (change) => announceChange(models.contents.db, change),
): Promise<ImportResult> {
  const result: ImportResult = { genres: counts(), contents: counts(), episodes: counts() };

  const storedGenres = new Map(
    (
      await models.genres
        .find({ slug: { $in: seed.genres.map((g) => g.slug) } })
        .lean()
        .exec()
    ).map((g) => [g.slug, g]),
  );
  const newGenres = seed.genres.filter((genre) => !storedGenres.has(genre.slug));
  for (const genre of seed.genres) {
    const stored = storedGenres.get(genre.slug);
    if (!stored) continue;
    if (stored.name === genre.name) result.genres.unchanged += 1;
    else {
      await models.genres.updateOne({ _id: stored._id }, { $set: { name: genre.name } }).exec();
      result.genres.updated += 1;
    }
  }
  if (newGenres.length > 0) await insertIgnoringDuplicates(() => models.genres.insertMany(newGenres, { ordered: false }));
  result.genres.inserted = newGenres.length;
  const genreIdOf = new Map((await models.genres.find().lean().exec()).map((g) => [g.slug, String(g._id)]));

  const sourceFields = (content: SeedContent) => ({
    title: content.title,
    titleNormalized: normalizeTitle(content.title),
    synopsis: content.synopsis,
    genreIds: content.genreSlugs.map((slug) => genreIdOf.get(slug)!),
    releaseYear: content.releaseYear,
    releaseYearKey: sortKeys({ releaseYear: content.releaseYear }).releaseYearKey,
    maturityRating: content.maturityRating,
    ...(content.kind === ContentKind.MOVIE && { runtimeMinutes: content.runtimeMinutes ?? null, director: content.director ?? null }),
  });
  const storedContents = new Map(
    (
      await models.contents
        .find({ externalId: { $in: seed.contents.map((c) => c.externalId) } })
        .lean()
        .exec()
    ).map((c) => [c.externalId, c]),
  );
  const newContents = { [ContentKind.MOVIE]: [] as object[], [ContentKind.TV_SHOW]: [] as object[] };
  const updates: { updateOne: { filter: object; update: object } }[] = [];
  for (const content of seed.contents) {
    const fields = sourceFields(content);
    const stored = storedContents.get(content.externalId);
    if (!stored) {
      const { rating, ...initial } = content.initial;
      newContents[content.kind].push({ externalId: content.externalId, ...fields, ...initial, rating, ratingKey: sortKeys({ rating }).ratingKey });
    } else if (same(fields, stored as unknown as Record<string, unknown>)) {
      result.contents.unchanged += 1;
    } else {
      updates.push({ updateOne: { filter: { _id: stored._id }, update: { $set: fields } } });
    }
  }
  if (newContents.MOVIE.length > 0) await insertIgnoringDuplicates(() => models.movies.insertMany(newContents.MOVIE, { ordered: false }));
  if (newContents.TV_SHOW.length > 0) await insertIgnoringDuplicates(() => models.tvShows.insertMany(newContents.TV_SHOW, { ordered: false }));
  await bulkWriteInBatches(models.contents, updates);
  result.contents.inserted = newContents.MOVIE.length + newContents.TV_SHOW.length;
  result.contents.updated = updates.length;

  const showIds = new Map(
    (
      await models.contents
        .find({ externalId: { $in: [...new Set(seed.episodes.map((e) => e.showExternalId))] } }, { externalId: 1 })
        .lean()
        .exec()
    ).map((show) => [show.externalId, String(show._id)]),
  );
  const episodeKey = (showId: string, season: number, episode: number) => `${showId}:${season}:${episode}`;
  const storedEpisodes = new Map(
    (
      await models.episodes
        .find({ showId: { $in: [...showIds.values()] } })
        .lean()
        .exec()
    ).map((e) => [episodeKey(e.showId, e.seasonNumber, e.episodeNumber), e]),
  );
  const newEpisodes: object[] = [];
  const episodeUpdates: { updateOne: { filter: object; update: object } }[] = [];
  for (const episode of seed.episodes) {
    const showId = showIds.get(episode.showExternalId);
    if (!showId) throw new Error(`episode of unknown show ${episode.showExternalId}`);
    const fields = { title: episode.title, runtimeMinutes: episode.runtimeMinutes };
    const stored = storedEpisodes.get(episodeKey(showId, episode.seasonNumber, episode.episodeNumber));
    if (!stored) newEpisodes.push({ showId, seasonNumber: episode.seasonNumber, episodeNumber: episode.episodeNumber, ...fields });
    else if (same(fields, stored as unknown as Record<string, unknown>)) result.episodes.unchanged += 1;
    else episodeUpdates.push({ updateOne: { filter: { _id: stored._id }, update: { $set: fields } } });
  }
  if (newEpisodes.length > 0) await insertIgnoringDuplicates(() => models.episodes.insertMany(newEpisodes, { ordered: false }));
  await bulkWriteInBatches(models.episodes, episodeUpdates);
  result.episodes.inserted = newEpisodes.length;
  result.episodes.updated = episodeUpdates.length;

  const written = [result.genres, result.contents, result.episodes].some((counts) => counts.inserted + counts.updated > 0);
  // Running catalog processes load the catalogue again (at once when told over Redis, else at
  // their next check of the version), and gateways drop the answers they kept.
  if (written) await record({ all: true });
  return result;
}
