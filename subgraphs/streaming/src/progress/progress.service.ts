import { isDuplicateKeyError, keysetPage, pageSize, type Page } from '@ott/kit';
import { progressId, type WatchProgressEntry, type WatchProgressModel } from './progress.model';

/** A title counts as watched from this share of its runtime on. */
export const COMPLETION_SHARE = 0.95;
/** continueWatching reads at most this many entries to find its distinct titles. */
const CONTINUE_SCAN_LIMIT = 500;

/** Where a playing session is now: its live document, fresher than the stored entry. */
export interface LivePosition {
  contentId: string;
  episodeId: string | null;
  positionSeconds: number;
  runtimeSeconds: number | null;
  updatedAt: Date;
}

export interface ProgressUpdate extends LivePosition {
  userId: string;
  /** The player reached the end (a session ended as FINISHED). */
  finished: boolean;
}

export const isCompleted = (positionSeconds: number, runtimeSeconds: number | null, finished: boolean) =>
  finished || (runtimeSeconds !== null && runtimeSeconds > 0 && positionSeconds >= COMPLETION_SHARE * runtimeSeconds);

const keyOf = (entry: { contentId: string; episodeId: string | null }) => `${entry.contentId}:${entry.episodeId ?? ''}`;

const toEntry = (userId: string, live: LivePosition, finished = false): WatchProgressEntry => ({
  _id: progressId(userId, live.contentId, live.episodeId),
  userId,
  contentId: live.contentId,
  episodeId: live.episodeId,
  positionSeconds: live.positionSeconds,
  runtimeSeconds: live.runtimeSeconds,
  completed: isCompleted(live.positionSeconds, live.runtimeSeconds, finished),
  updatedAt: live.updatedAt,
});

/**
 * Watch progress per member and title (episode, for shows). An entry is written when a
 * session starts and when it ends; while it plays, its live document holds the position
 * (durably: a crash loses nothing, the end is completed from it), and reads lay the member's
 * live positions over the stored entries. So a heartbeat is one write, not two.
 */
export class ProgressService {
  constructor(private readonly progress: WatchProgressModel) {}

  /** Stores an entry unless a newer one is there already (the later of two sessions wins). */
  async record(update: ProgressUpdate): Promise<void> {
    const entry = toEntry(update.userId, update, update.finished);
    const stored = await this.progress.findById(entry._id, { updatedAt: 1 }).lean().exec();
    if (stored && stored.updatedAt > entry.updatedAt) return;
    const { _id, ...fields } = entry;
    // With userId, the shard key (WatchProgress.sharding): a sharded cluster refuses an upsert without it.
    const write = () => this.progress.updateOne({ _id, userId: entry.userId }, { $set: fields }, { upsert: true }).exec();
    try {
      await write();
    } catch (error) {
      // Two first writes of one entry racing: MongoDB lets one upsert insert and fails the
      // other with E11000; that one now finds the document and updates it.
      if (!isDuplicateKeyError(error)) throw error;
      await write();
    }
  }

  /** Where a new session of this title starts: the latest position, unless it was finished. */
  async resumePosition(userId: string, contentId: string, episodeId: string | null, live: readonly LivePosition[]): Promise<number> {
    const stored = await this.progress
      .findById(progressId(userId, contentId, episodeId))
      .lean<WatchProgressEntry>()
      .exec();
    const key = keyOf({ contentId, episodeId });
    const latest = [stored, ...live.filter((l) => keyOf(l) === key).map((l) => toEntry(userId, l))]
      .filter((entry): entry is WatchProgressEntry => entry !== null)
      .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())[0];
    return latest && !latest.completed ? latest.positionSeconds : 0;
  }

  /**
   * Unfinished titles, most recent first, one entry per title (a show appears once, at its
   * latest unfinished episode). `isAvailable` drops titles catalog removed.
   */
  async continueWatching(
    userId: string,
    first: number | null | undefined,
    live: readonly LivePosition[],
    isAvailable: (contentIds: string[]) => Promise<Set<string>>,
  ): Promise<WatchProgressEntry[]> {
    const size = pageSize(first, 10);
    const playing = new Map(live.map((l) => [keyOf(l), toEntry(userId, l)]));
    const candidates: WatchProgressEntry[] = [...playing.values()];
    const titles = new Set<string>();
    const batch = Math.max(size * 2, 20);
    let position: { at: Date; id: string } | null = null;
    for (let scanned = 0; titles.size < size && scanned < CONTINUE_SCAN_LIMIT; scanned += batch) {
      const filter: Record<string, unknown> = { userId, completed: false };
      if (position) filter.$or = [{ updatedAt: { $lt: position.at } }, { updatedAt: position.at, _id: { $lt: position.id } }];
      const entries = await this.progress.find(filter).sort({ updatedAt: -1, _id: -1 }).limit(batch).lean<WatchProgressEntry[]>().exec();
      for (const entry of entries) {
        if (playing.has(keyOf(entry))) continue;
        candidates.push(entry);
        titles.add(entry.contentId);
      }
      if (entries.length < batch) break;
      const last = entries.at(-1)!;
      position = { at: last.updatedAt, id: last._id };
    }
    const available = await isAvailable([...new Set(candidates.map((entry) => entry.contentId))]);
    const latest = new Map<string, WatchProgressEntry>();
    for (const entry of candidates.sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())) {
      if (!latest.has(entry.contentId) && available.has(entry.contentId)) latest.set(entry.contentId, entry);
    }
    return [...latest.values()].filter((entry) => !entry.completed).slice(0, size);
  }

  /** Everything the member watched, finished or not, most recent first (by the entry's last write). */
  async history(
    userId: string,
    first: number | null | undefined,
    after: string | null | undefined,
    live: readonly LivePosition[],
  ): Promise<Page<WatchProgressEntry>> {
    const page = await keysetPage<WatchProgressEntry>({
      filter: { userId },
      sortField: 'updatedAt',
      find: (filter, sort, limit) => this.progress.find(filter).sort(sort).limit(limit).lean<WatchProgressEntry[]>().exec(),
      count: () => this.progress.countDocuments({ userId }).exec(),
      valueOf: (entry) => entry.updatedAt,
      idOf: (entry) => entry._id,
      // An entry id starts with its member's id: a cursor from another member's list is refused.
      parseId: (id) => (id.startsWith(`${userId}:`) ? id : null),
      first,
      after,
    });
    const playing = new Map(live.map((l) => [keyOf(l), toEntry(userId, l)]));
    // Positions of what plays now; the order (and the cursors) stay those of the stored entries.
    const edges = page.edges.map((edge) => {
      const now = playing.get(keyOf(edge.node));
      return now ? { ...edge, node: now } : edge;
    });
    return { ...page, edges };
  }
}
