import type { Logger, RedisClient } from '@ott/kit';
import type { PlaybackSessionModel } from '../session/session.model';

const DAY_MS = 86_400_000;
const TRENDING_DAYS = 7;
/** Day sets outlive the trending window by a day, so "7 days ago" is still there at midnight. */
const DAY_TTL_SECONDS = (TRENDING_DAYS + 1) * 86_400;
const REBUILD_LOCK_SECONDS = 60;

export const utcDay = (at: Date) => at.toISOString().slice(0, 10);

/** Today and the six days before it, UTC, newest first. */
const trendingDays = (now: Date) => Array.from({ length: TRENDING_DAYS }, (_, i) => utcDay(new Date(now.getTime() - i * DAY_MS)));

/**
 * Every key shares the hash tag `{plays}`: the scripts and transactions below touch `since`,
 * the all-time set and the day sets together, and the 7-day union reads every day set. On a
 * Redis Cluster all play counters therefore live in one slot, on one master: a deliberate
 * trade-off (one small write per playback start; docs/architecture.md, "How each store scales").
 */
const KEYS = {
  /** When the counters were last rebuilt from the database (ms); starts from then on are counted live. */
  since: '{plays}:since',
  all: '{plays}:all',
  day: (day: string) => `{plays}:day:${day}`,
  trending: (today: string) => `{plays}:trending:${today}`,
  rebuildLock: '{plays}:rebuild-lock',
};

// A start counts once: after a rebuild (which counted every session stored before `since`),
// only starts from `since` on are added, and none while the counters are missing (the
// rebuild that follows will count them from the database).
const RECORD_LUA = `
local since = redis.call('GET', KEYS[1])
if not since or tonumber(ARGV[2]) < tonumber(since) then return 0 end
redis.call('ZINCRBY', KEYS[2], 1, ARGV[1])
redis.call('ZINCRBY', KEYS[3], 1, ARGV[1])
redis.call('EXPIRE', KEYS[3], ARGV[3])
return 1`;

// The 7-day union, computed at most once per TTL: false when the counters must be rebuilt.
const TRENDING_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('ZUNIONSTORE', KEYS[2], #KEYS - 2, unpack(KEYS, 3))
  redis.call('EXPIRE', KEYS[2], ARGV[2])
end
return redis.call('ZREVRANGE', KEYS[2], 0, tonumber(ARGV[1]) - 1)`;

type Scripted = RedisClient & {
  ottRecordPlay(since: string, all: string, day: string, contentId: string, startedAtMs: number, dayTtl: number): Promise<number>;
  ottTrending(...keysThenArgs: (string | number)[]): Promise<string[] | null>;
};

/**
 * Play counts, all-time (`Content.playCount`) and per UTC day (`trending`: the sum of the last
 * seven), held in Redis sorted sets so both read as fast as a cached list. The sessions
 * collection is the record they are rebuilt from when Redis lost them; while Redis is down,
 * both are answered from the database (fail-open, logged).
 *
 * A rebuild counts every session stored before it began and the live counters everything
 * after: exact, except for a start whose insert is still in flight at that very moment.
 */
export class PlayCounts {
  private readonly redis: Scripted;
  private lastFailureLog = 0;

  constructor(
    redis: RedisClient,
    private readonly sessions: PlaybackSessionModel,
    private readonly logger: Logger,
    private readonly options: { trendingTtlSeconds: number },
  ) {
    redis.defineCommand('ottRecordPlay', { numberOfKeys: 3, lua: RECORD_LUA });
    redis.defineCommand('ottTrending', { numberOfKeys: 2 + TRENDING_DAYS, lua: TRENDING_LUA });
    this.redis = redis as Scripted;
  }

  /** After a session was stored: one more play of the title, today. */
  async record(contentId: string, startedAt: Date): Promise<void> {
    try {
      await this.redis.ottRecordPlay(KEYS.since, KEYS.all, KEYS.day(utcDay(startedAt)), contentId, startedAt.getTime(), DAY_TTL_SECONDS);
    } catch (err) {
      this.warn(err, 'play not counted in Redis (the database has it; a rebuild restores it)');
    }
  }

  /** All-time starts per title. */
  async playCounts(contentIds: readonly string[]): Promise<number[]> {
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        const [[, since], [, scores]] = (await this.redis
          .multi()
          .exists(KEYS.since)
          .zmscore(KEYS.all, ...contentIds)
          .exec()) as [[null, number], [null, (string | null)[]]];
        if (since === 1) return scores.map((score) => Number(score ?? 0));
        if (!(await this.rebuild())) break;
      }
    } catch (err) {
      this.warn(err, 'play counts unavailable in Redis: counting in the database');
    }
    return this.countFromDatabase(contentIds);
  }

  /** The most started titles of the last seven days, most first (ties: by id, descending). */
  async trending(limit: number, now = new Date()): Promise<string[]> {
    const days = trendingDays(now);
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        const ids = await this.redis.ottTrending(KEYS.since, KEYS.trending(days[0]!), ...days.map(KEYS.day), limit, this.options.trendingTtlSeconds);
        if (ids) return ids;
        if (!(await this.rebuild())) break;
      }
    } catch (err) {
      this.warn(err, 'trending unavailable in Redis: counting in the database');
    }
    return this.trendingFromDatabase(days, limit);
  }

  /** A removed title leaves trending at once (its all-time count stays, as history). */
  async forget(contentIds: readonly string[], now = new Date()): Promise<void> {
    if (contentIds.length === 0) return;
    const days = trendingDays(now);
    try {
      const pipeline = this.redis.pipeline();
      for (const day of days) pipeline.zrem(KEYS.day(day), ...contentIds);
      pipeline.del(KEYS.trending(days[0]!));
      await pipeline.exec();
    } catch (err) {
      this.warn(err, 'could not drop removed titles from trending in Redis (trending skips unavailable titles anyway)');
    }
  }

  /**
   * Rebuilds the counters from the sessions collection; one process at a time (a lock), the
   * others answer from the database meanwhile. Answers whether the counters are there now.
   */
  async rebuild(now = new Date()): Promise<boolean> {
    if ((await this.redis.set(KEYS.rebuildLock, '1', 'EX', REBUILD_LOCK_SECONDS, 'NX')) !== 'OK') return false;
    try {
      const days = trendingDays(now);
      const since = now.getTime();
      await this.redis
        .multi()
        .del(KEYS.all, ...days.map(KEYS.day), KEYS.trending(days[0]!))
        .set(KEYS.since, String(since))
        .exec();
      const before = new Date(since);
      const [allTime, perDay] = await Promise.all([
        this.sessions
          .aggregate<{ _id: string; plays: number }>([{ $match: { startedAt: { $lt: before } } }, { $group: { _id: '$contentId', plays: { $sum: 1 } } }])
          .exec(),
        this.sessions
          .aggregate<{ _id: { contentId: string; day: string }; plays: number }>([
            { $match: { startedDay: { $in: days }, startedAt: { $lt: before } } },
            { $group: { _id: { contentId: '$contentId', day: '$startedDay' }, plays: { $sum: 1 } } },
          ])
          .exec(),
      ]);
      const pipeline = this.redis.pipeline();
      for (const { _id, plays } of allTime) pipeline.zincrby(KEYS.all, plays, _id);
      for (const { _id, plays } of perDay) pipeline.zincrby(KEYS.day(_id.day), plays, _id.contentId);
      for (const day of days) pipeline.expire(KEYS.day(day), DAY_TTL_SECONDS);
      await pipeline.exec();
      this.logger.info({ titles: allTime.length, dayEntries: perDay.length }, 'play counts rebuilt from the database');
      return true;
    } finally {
      await this.redis.del(KEYS.rebuildLock);
    }
  }

  private async countFromDatabase(contentIds: readonly string[]): Promise<number[]> {
    const groups = await this.sessions
      .aggregate<{ _id: string; plays: number }>([{ $match: { contentId: { $in: [...contentIds] } } }, { $group: { _id: '$contentId', plays: { $sum: 1 } } }])
      .exec();
    const plays = new Map(groups.map((group) => [group._id, group.plays]));
    return contentIds.map((id) => plays.get(id) ?? 0);
  }

  private async trendingFromDatabase(days: string[], limit: number): Promise<string[]> {
    const groups = await this.sessions
      .aggregate<{ _id: string }>([
        { $match: { startedDay: { $in: days } } },
        { $group: { _id: '$contentId', plays: { $sum: 1 } } },
        { $sort: { plays: -1, _id: -1 } },
        { $limit: limit },
      ])
      .exec();
    return groups.map((group) => group._id);
  }

  private warn(err: unknown, message: string): void {
    const now = Date.now();
    if (now - this.lastFailureLog < 30_000) return;
    this.lastFailureLog = now;
    this.logger.warn({ err: { message: (err as Error).message } }, message);
  }
}
