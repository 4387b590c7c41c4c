import type { Connection } from 'mongoose';
import type { VersionedCache } from '@ott/kit';
import { CATALOG_SCOPE } from '../catalog.cache';
import type { CatalogueVersionFeed } from './catalogue.feed';
import { announceChange, type CatalogueChange } from './catalogue.version';

export interface CatalogueChangesDeps {
  connection: Connection;
  /** The Redis cache of database-path reads; absent where nothing reads through it. */
  cache?: VersionedCache;
  /** Announces the new version: gateways and catalog processes follow it. */
  feed: CatalogueVersionFeed;
}

/**
 * The one way a catalogue write is made known, whoever wrote it (the services, the import):
 * the version document and its change slot in catalog's database first (what every process
 * trusts), then the Redis cache of database-path reads is dropped, then one event is published
 * (`catalog <version>` on the public-changes channel), which every catalog process's copy in
 * memory and every gateway's kept answers follow. Redis failures are logged and skipped: the
 * database's version still reaches every catalog process within CATALOG_VERSION_CHECK_MS.
 */
export class CatalogueChanges {
  constructor(private readonly deps: CatalogueChangesDeps) {}

  /** Records a write that already reached the database; answers the catalogue's new version. */
  async record(change: CatalogueChange): Promise<number> {
    const version = await announceChange(this.deps.connection, change);
    await this.deps.cache?.bump(CATALOG_SCOPE);
    await this.deps.feed.publish(version);
    return version;
  }
}
