import type { CatalogueReader } from '../catalogue/catalogue.reader';
import type { Genre } from './genre.model';

export type GenreRecord = Omit<Genre, 'id'> & { id: string };

// The genre list is small and read by nearly every request (browse filters, genre fields), so
// every lookup answers from the one list of the request's reader (in memory, or cached).

export async function allGenres(catalogue: CatalogueReader): Promise<GenreRecord[]> {
  return [...(await catalogue.genres())];
}

export async function genresByIds(catalogue: CatalogueReader, ids: readonly string[]): Promise<Map<string, GenreRecord>> {
  const wanted = new Set(ids);
  const found = new Map<string, GenreRecord>();
  for (const genre of await catalogue.genres()) if (wanted.has(genre.id)) found.set(genre.id, genre);
  return found;
}

export async function genreBySlug(catalogue: CatalogueReader, slug: string): Promise<GenreRecord | undefined> {
  return (await catalogue.genres()).find((genre) => genre.slug === slug);
}

export async function genreIds(catalogue: CatalogueReader): Promise<Set<string>> {
  return new Set((await catalogue.genres()).map((genre) => genre.id));
}
