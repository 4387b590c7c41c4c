import type { Connection } from 'mongoose';

/**
 * The catalogue's version, kept in catalog's own database so that every process, with or
 * without Redis, learns of every write: one tiny document read by bare `_id` (the one filter
 * FerretDB answers without a scan), plus a ring of the latest changes, one document per slot,
 * so a process that is a few versions behind re-reads only the records that changed.
 */
export const VERSION_ID = 'catalogue';
export const CHANGE_RING_SIZE = 32;
/** A change naming more records than this asks every reader to load the whole catalogue again. */
export const CHANGE_MAX_IDS = 200;

export interface CatalogueChange {
  contents?: readonly string[];
  episodes?: readonly string[];
  /** Everything may have changed (an import, a repair by hand): load the whole catalogue. */
  all?: boolean;
}

/** The version document (`_id: "catalogue"`) and the change slots (`_id: "change:<n>"`) share one small collection. */
interface VersionDocument {
  _id: string;
  version?: number;
  v?: number;
  contents?: string[];
  episodes?: string[];
  all?: boolean;
}

export const slotId = (version: number) => `change:${version % CHANGE_RING_SIZE}`;

export function catalogueVersions(connection: Connection) {
  return connection.collection<VersionDocument>('catalogue_versions');
}

export async function currentVersion(connection: Connection): Promise<number> {
  const doc = await catalogueVersions(connection).findOne({ _id: VERSION_ID });
  return doc?.version ?? 0;
}

/**
 * Announces a write that already reached the database: bumps the version, then records what
 * changed in the version's slot. A reader that sees the version before its slot (or a slot a
 * later version overwrote) loads the whole catalogue, so a lost or late slot costs time, never
 * correctness.
 */
export async function announceChange(connection: Connection, change: CatalogueChange): Promise<number> {
  const versions = catalogueVersions(connection);
  const bumped = await versions.findOneAndUpdate({ _id: VERSION_ID }, { $inc: { version: 1 } }, { upsert: true, returnDocument: 'after' });
  const version = bumped?.version ?? 0;
  const ids = (change.contents?.length ?? 0) + (change.episodes?.length ?? 0);
  const slot =
    change.all || ids > CHANGE_MAX_IDS
      ? { v: version, all: true }
      : { v: version, contents: [...(change.contents ?? [])], episodes: [...(change.episodes ?? [])] };
  await versions.replaceOne({ _id: slotId(version) }, slot, { upsert: true });
  return version;
}

/** The changes after `from` up to `to`, or null when one of them is unknown (overwritten, not yet written, or "all"). */
export async function changesBetween(connection: Connection, from: number, to: number): Promise<{ contents: Set<string>; episodes: Set<string> } | null> {
  if (to - from > CHANGE_RING_SIZE) return null;
  const versions = catalogueVersions(connection);
  const contents = new Set<string>();
  const episodes = new Set<string>();
  for (let version = from + 1; version <= to; version += 1) {
    const slot = await versions.findOne({ _id: slotId(version) });
    if (!slot || slot.v !== version || slot.all) return null;
    for (const id of slot.contents ?? []) contents.add(id);
    for (const id of slot.episodes ?? []) episodes.add(id);
  }
  return { contents, episodes };
}
