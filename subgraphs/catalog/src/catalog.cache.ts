/**
 * One cache scope for the whole catalogue: every ADMIN write bumps it, so no cached list or
 * record outlives a change. Writes are rare next to reads, so coarse invalidation costs little.
 */
export const CATALOG_SCOPE = 'catalog';
