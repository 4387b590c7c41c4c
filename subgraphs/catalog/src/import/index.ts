export { defaultSeed, importCatalog, type ImportResult, type WriteCounts } from './catalog.import';
export type { CatalogSeed, SeedContent, SeedEpisode, SeedGenre } from './seed';
