import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureIndexes } from '@ott/kit';
import { testEnv, uniqueTag } from '@ott/kit/testing';
import { defaultSeed, importCatalog } from '../src/import/catalog.import';
import { tvShowsSeed } from '../src/import/tv-shows';
import { readVegaMovies, vegaMoviesSeed } from '../src/import/vega-movies';
import { createModels, indexedModels, type CatalogModels } from '../src/models';

let connection: mongoose.Connection;
let models: CatalogModels;

beforeAll(async () => {
  const env = testEnv(uniqueTag('catalog_import'));
  connection = await mongoose.createConnection(env.MONGODB_URL!, { dbName: env.MONGODB_DB, autoIndex: false }).asPromise();
  models = createModels(connection);
  await ensureIndexes(indexedModels(models));
});
afterAll(() => connection?.close());

describe('reading the vega-datasets films', () => {
  const records = readVegaMovies();
  const seed = vegaMoviesSeed(records);

  it('keeps every film with a title and skips the one without', () => {
    expect(records).toHaveLength(3_201);
    expect(seed.contents).toHaveLength(3_200);
    expect(seed.contents.map((c) => c.title)).toContain('300');
  });

  it('gives every film a distinct external id', () => {
    expect(new Set(seed.contents.map((c) => c.externalId)).size).toBe(seed.contents.length);
  });

  it('repairs accents the dataset mis-decoded and leaves correct symbols alone', () => {
    const titles = seed.contents.map((c) => c.title);
    expect(titles).toEqual(expect.arrayContaining(['Astérix aux Jeux Olympiques', 'The Naked Gun 2½: The Smell of Fear', 'Alien³', 'Léon']));
    expect(titles.some((t) => /[ÈÍ˘ΩÛ‰]/.test(t))).toBe(false);
  });

  it('moves two-digit years the dataset put a century late back into the past', () => {
    const years = seed.contents.map((c) => c.releaseYear).filter((y): y is number => y !== null);
    expect(Math.max(...years)).toBeLessThanOrEqual(2011);
    expect(seed.contents.find((c) => c.title === 'Duel in the Sun')?.releaseYear).toBe(1946);
    expect(seed.contents.find((c) => c.title === '42nd Street')?.releaseYear).toBe(1933);
  });

  it('maps the major genres and genre-like creative types to slugged genres', () => {
    expect(seed.genres).toEqual(
      expect.arrayContaining([
        { slug: 'thriller-suspense', name: 'Thriller/Suspense' },
        { slug: 'science-fiction', name: 'Science Fiction' },
      ]),
    );
  });

  it('generates the same TV shows on every run', () => {
    expect(tvShowsSeed()).toEqual(tvShowsSeed());
    const shows = tvShowsSeed();
    expect(shows.contents).toHaveLength(36);
    expect(new Set(shows.contents.map((c) => c.title)).size).toBe(36);
    expect(shows.episodes.length).toBeGreaterThan(200);
  });
});

describe('importing the catalogue', () => {
  it('loads the full catalogue, and a second run yields the same counts without writing anything', async () => {
    const seed = defaultSeed();
    const first = await importCatalog(models, seed);
    expect(first.contents).toEqual({ inserted: 3_236, updated: 0, unchanged: 0 });
    expect(first.genres.inserted).toBe(seed.genres.length);
    expect(first.episodes.inserted).toBe(seed.episodes.length);
    const countsAfterFirst = await Promise.all([models.contents.countDocuments(), models.genres.countDocuments(), models.episodes.countDocuments()]);
    const genreIds = (await models.genres.find().sort({ slug: 1 }).lean()).map((g) => String(g._id));

    const second = await importCatalog(models, defaultSeed());
    expect(second).toEqual({
      genres: { inserted: 0, updated: 0, unchanged: seed.genres.length },
      contents: { inserted: 0, updated: 0, unchanged: 3_236 },
      episodes: { inserted: 0, updated: 0, unchanged: seed.episodes.length },
    });
    expect(await Promise.all([models.contents.countDocuments(), models.genres.countDocuments(), models.episodes.countDocuments()])).toEqual(countsAfterFirst);
    expect((await models.genres.find().sort({ slug: 1 }).lean()).map((g) => String(g._id))).toEqual(genreIds);
  });

  it('updates a changed source field in place and keeps what editors set', async () => {
    const seed = defaultSeed();
    const target = seed.contents.find((c) => c.title === 'Alien³')!;
    await models.contents.updateOne({ externalId: target.externalId }, { $set: { featured: true } });
    target.synopsis = 'A corrected synopsis.';
    const result = await importCatalog(models, seed);
    expect(result.contents).toMatchObject({ inserted: 0, updated: 1 });
    const stored = await models.contents.findOne({ externalId: target.externalId }).lean();
    expect(stored).toMatchObject({ synopsis: 'A corrected synopsis.', featured: true, kind: 'MOVIE' });
  });

  it('applies a correction of 120 titles, more than the embedded database takes in one update command', async () => {
    await importCatalog(models, defaultSeed());
    const seed = defaultSeed();
    const corrected = seed.contents.slice(0, 120);
    for (const content of corrected) content.synopsis = `Corrected: ${content.title}`;
    expect((await importCatalog(models, seed)).contents).toMatchObject({ inserted: 0, updated: 120 });
    expect(await models.contents.countDocuments({ synopsis: { $regex: '^Corrected: ' } })).toBe(120);
    expect((await importCatalog(models, defaultSeed())).contents).toMatchObject({ inserted: 0, updated: 120 });
  });

  it('leaves a title an administrator removed removed, and still writes nothing on a second run', async () => {
    const target = defaultSeed().contents.find((c) => c.title === 'Léon')!;
    const deletedAt = new Date();
    await models.contents.updateOne({ externalId: target.externalId }, { $set: { deletedAt } });
    expect((await importCatalog(models, defaultSeed())).contents.inserted).toBe(0);
    expect((await importCatalog(models, defaultSeed())).contents).toEqual({ inserted: 0, updated: 0, unchanged: 3_236 });
    expect(await models.contents.countDocuments({ externalId: target.externalId })).toBe(1);
    expect((await models.contents.findOne({ externalId: target.externalId }).lean())?.deletedAt).toEqual(deletedAt);
  });
});
