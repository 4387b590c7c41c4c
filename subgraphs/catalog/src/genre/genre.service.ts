import type { VersionedCache } from '@ott/kit';
import { CATALOG_SCOPE } from '../catalog.cache';
import type { CatalogueReadModel } from '../catalogue/catalogue.read-model';
import type { Genre, GenreModel } from './genre.model';

export type GenreRecord = Omit<Genre, 'id'> & { id: string };

/**
 * The genre list is small and read by nearly every request (browse filters, genre fields),
 * so every lookup answers from the one list, in memory or cached.
 */
export class GenreService {
  constructor(
    private readonly genres: GenreModel,
    private readonly cache: VersionedCache,
    private readonly catalogue: CatalogueReadModel,
  ) {}

  async all(): Promise<GenreRecord[]> {
    const snapshot = this.catalogue.current();
    if (snapshot) return [...snapshot.genres];
    return this.cache.getOrLoad(CATALOG_SCOPE, 'genres', async () => {
      const docs = await this.genres.find().sort({ name: 1, _id: 1 }).lean().exec();
      return docs.map(({ _id, slug, name }) => ({ id: String(_id), slug, name }));
    });
  }

  async byIds(ids: readonly string[]): Promise<Map<string, GenreRecord>> {
    const all = await this.all();
    const wanted = new Set(ids);
    return new Map(all.filter((genre) => wanted.has(genre.id)).map((genre) => [genre.id, genre]));
  }

  async bySlug(slug: string): Promise<GenreRecord | undefined> {
    return (await this.all()).find((genre) => genre.slug === slug);
  }

  async ids(): Promise<Set<string>> {
    return new Set((await this.all()).map((genre) => genre.id));
  }
}
