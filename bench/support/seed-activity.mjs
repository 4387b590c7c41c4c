// The active members' activity for bench/support/other-members.mjs: lists, ratings with their
// per-title totals, watch progress, playback sessions and the streams held now.
import { DAY, DB, DEVICES, distinctTitles, formatDay, objectIdAt, review, shareOf } from './member-data.mjs';

const UPDATE_BATCH = 50;

/** Inserts `count` rows of each kind over `members` (the active ones), adding to `report`. */
export async function seedActivity({ client, insert, report, random, now, members, count, catalogue, planOf }) {
  // My list: `count` items over the active members, one per (member, title).
  await insert(
    DB.mylist,
    'items',
    (function* () {
      for (let m = 0; m < members.length; m++) {
        const userId = String(members[m].id);
        for (const title of distinctTitles(random, catalogue.titles, shareOf(count, members.length, m))) {
          const addedAt = new Date(now - random() * 365 * DAY);
          yield { _id: objectIdAt(addedAt.getTime()), userId, contentId: title.id, kind: title.kind, addedAt };
        }
      }
    })(),
  );

  // Ratings (one per member and title, a third with a review), and the per-title totals they feed.
  const totals = new Map();
  await insert(
    DB.ratings,
    'ratings',
    (function* () {
      for (let m = 0; m < members.length; m++) {
        const userId = String(members[m].id);
        for (const title of distinctTitles(random, catalogue.titles, shareOf(count, members.length, m))) {
          const createdAt = new Date(now - random() * 365 * DAY);
          const updatedAt = random() < 0.2 ? new Date(createdAt.getTime() + random() * (now - createdAt.getTime())) : createdAt;
          const score = Math.max(1, Math.min(10, Math.round(6.5 + (random() + random() + random() - 1.5) * 4)));
          const t = totals.get(title.id) ?? { sum: 0, count: 0 };
          t.sum += score;
          t.count += 1;
          totals.set(title.id, t);
          yield {
            _id: objectIdAt(createdAt.getTime()),
            userId,
            contentId: title.id,
            score,
            review: random() < 0.33 ? review(random) : null,
            createdAt,
            updatedAt,
            __v: 0,
          };
        }
      }
    })(),
  );
  {
    const started = performance.now();
    const ops = [...totals].map(([contentId, t]) => ({
      updateOne: { filter: { _id: contentId }, update: { $inc: { sum: t.sum, count: t.count } }, upsert: true },
    }));
    // At most 50 statements per command: FerretDB 1.24 never answers an update command of 100
    // or more (measured on the embedded server, with and without its serializer).
    for (let i = 0; i < ops.length; i += UPDATE_BATCH)
      await client
        .db(DB.ratings)
        .collection('summaries')
        .bulkWrite(ops.slice(i, i + UPDATE_BATCH), { ordered: true });
    report.push({ collection: `${DB.ratings}.summaries ($inc upserts)`, docs: ops.length, seconds: (performance.now() - started) / 1000 });
  }

  // Watch progress: one entry per member and film (or episode), as the streaming service upserts it.
  await insert(
    DB.streaming,
    'progress',
    (function* () {
      for (let m = 0; m < members.length; m++) {
        const userId = String(members[m].id);
        for (const title of distinctTitles(random, catalogue.playable, shareOf(count, members.length, m))) {
          const episode = title.kind === 'TV_SHOW' ? random.pick(title.episodes) : null;
          const runtimeSeconds = episode ? episode.runtimeSeconds : title.runtimeSeconds;
          const done = random() < 0.55;
          const positionSeconds = runtimeSeconds ? (done ? runtimeSeconds : random.int(Math.floor(runtimeSeconds * 0.95))) : random.int(7_200);
          const updatedAt = new Date(now - random() * 120 * DAY);
          yield {
            _id: `${userId}:${title.id}:${episode?.id ?? ''}`,
            completed: Boolean(runtimeSeconds) && positionSeconds >= 0.95 * runtimeSeconds,
            contentId: title.id,
            episodeId: episode?.id ?? null,
            positionSeconds,
            runtimeSeconds,
            updatedAt,
            userId,
          };
        }
      }
    })(),
  );

  // Playback sessions: `count` records, of which about 1 % are playing now (their live documents below).
  const playing = [];
  const liveCount = Math.min(members.length, Math.round(count / 100));
  await insert(
    DB.streaming,
    'sessions',
    (function* () {
      for (let m = 0; m < members.length; m++) {
        const userId = String(members[m].id);
        const maxQuality = planOf.get(userId).maxQuality;
        const n = shareOf(count, members.length, m);
        for (let k = 0; k < n; k++) {
          const title = catalogue.playable[Math.floor(catalogue.playable.length * random() ** 2)];
          const episode = title.kind === 'TV_SHOW' ? random.pick(title.episodes) : null;
          const runtimeSeconds = episode ? episode.runtimeSeconds : title.runtimeSeconds;
          const live = m < liveCount && k === 0;
          const startedAt = live ? new Date(now - random.int(3_000_000)) : new Date(now - random() * 120 * DAY);
          const watched = Math.floor((runtimeSeconds ?? 7_200) * random());
          const id = objectIdAt(startedAt.getTime());
          const base = {
            _id: id,
            userId,
            contentId: title.id,
            episodeId: episode?.id ?? null,
            device: random.pick(DEVICES),
            quality: maxQuality,
            startedAt,
            startedDay: formatDay(startedAt),
            runtimeSeconds,
          };
          if (live) {
            playing.push({ ...base, positionSeconds: watched });
            yield {
              _id: id,
              userId,
              contentId: base.contentId,
              episodeId: base.episodeId,
              state: 'PLAYING',
              positionSeconds: 0,
              device: base.device,
              quality: base.quality,
              startedAt,
              startedDay: base.startedDay,
              updatedAt: startedAt,
              endedAt: null,
              endReason: null,
              version: 1,
              runtimeSeconds,
            };
            continue;
          }
          const endedAt = new Date(startedAt.getTime() + watched * 1000);
          const endReason = random() < 0.25 ? 'FINISHED' : random() < 0.3 ? 'TIMED_OUT' : 'STOPPED';
          yield {
            _id: id,
            userId,
            contentId: base.contentId,
            episodeId: base.episodeId,
            state: 'ENDED',
            positionSeconds: endReason === 'FINISHED' && runtimeSeconds ? runtimeSeconds : watched,
            device: base.device,
            quality: base.quality,
            startedAt,
            startedDay: base.startedDay,
            updatedAt: endedAt,
            endedAt,
            endReason,
            version: 2 + Math.floor(watched / 30),
            runtimeSeconds,
          };
        }
      }
    })(),
  );
  // Last, so their heartbeats are recent: streams held now, slot 0 of their members.
  const heartbeat = new Date();
  await insert(
    DB.streaming,
    'live_sessions',
    (function* () {
      for (const s of playing) {
        yield {
          _id: s._id.toHexString(),
          userId: s.userId,
          slot: 0,
          contentId: s.contentId,
          episodeId: s.episodeId,
          device: s.device,
          quality: s.quality,
          startedAt: s.startedAt,
          runtimeSeconds: s.runtimeSeconds,
          maxPositionSeconds: s.runtimeSeconds === null ? 12 * 3_600 : Math.ceil(s.runtimeSeconds * 1.1),
          state: 'PLAYING',
          positionSeconds: s.positionSeconds,
          version: 1 + Math.floor(s.positionSeconds / 30),
          updatedAt: heartbeat,
          lastHeartbeatAt: heartbeat,
          ending: null,
        };
      }
    })(),
  );
}
