// What bench/support/other-members.mjs builds its documents from: the driver, a seeded random
// generator, names, reviews, dates and the catalogue as seeded.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from '../../tools/stack/services.mjs';

const requireFrom = (pkg) => createRequire(join(ROOT, pkg, 'package.json'));
/** mongoose's bundled driver (as bench/catalog-pushdown.mjs uses it) and its ObjectId. */
export const { MongoClient, ObjectId } = requireFrom('subgraphs/catalog')('mongoose').mongo;

// Each service's default database (MONGODB_DB in subgraphs/*/src/config.ts; startGraph sets none).
/** A day in milliseconds. */
export const DAY = 86_400_000;

export const DB = {
  users: 'ott_users',
  catalog: 'ott_catalog',
  mylist: 'ott_mylist',
  ratings: 'ott_ratings',
  streaming: 'ott_streaming',
  billing: 'ott_billing',
};
// subgraphs/billing/src/plan/plan.service.ts
export const PLANS = [
  { code: 'BASIC', name: 'Basic', priceCents: 899, maxQuality: 'SD', weight: 0.3 },
  { code: 'STANDARD', name: 'Standard', priceCents: 1399, maxQuality: 'HD', weight: 0.5 },
  { code: 'PREMIUM', name: 'Premium', priceCents: 1999, maxQuality: 'UHD', weight: 0.2 },
];
export const DEVICES = ['living-room-tv', 'phone', 'tablet', 'laptop', 'bedroom-tv', 'console'];
export const FIRST = [
  'ada',
  'ben',
  'chloe',
  'dev',
  'elena',
  'farid',
  'grace',
  'hugo',
  'ines',
  'jon',
  'kofi',
  'lena',
  'mateo',
  'nora',
  'omar',
  'priya',
  'quinn',
  'rosa',
  'sven',
  'tara',
  'umar',
  'vera',
  'wen',
  'yusuf',
  'zoe',
];
export const LAST = [
  'adams',
  'berg',
  'costa',
  'dubois',
  'eriksen',
  'fischer',
  'garcia',
  'hansen',
  'ivanova',
  'jensen',
  'kowalski',
  'lopez',
  'moreau',
  'nakamura',
  'okafor',
  'petrov',
  'rossi',
  'schmidt',
  'tanaka',
  'weber',
];
const WORDS =
  'great slow gorgeous boring tense funny moving predictable brilliant uneven acting score pacing ending twist cast script visuals sequel classic overlong charming dark clever'.split(
    ' ',
  );

/** A small deterministic generator (mulberry32), so a run seeds the same data every time. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  next.int = (n) => Math.floor(next() * n);
  next.pick = (list) => list[Math.floor(next() * list.length)];
  return next;
}

/** An ObjectId whose timestamp is `at`, as the driver would have made it then. */
export const objectIdAt = (at) => {
  const bytes = randomBytes(12);
  bytes.writeUInt32BE(Math.floor(at / 1000), 0);
  return new ObjectId(bytes);
};
export const hex = (bytes) => randomBytes(bytes).toString('hex');
export const addMonth = (date) => {
  const next = new Date(date.getTime());
  const day = next.getUTCDate();
  next.setUTCDate(1);
  next.setUTCMonth(next.getUTCMonth() + 1);
  next.setUTCDate(Math.min(day, new Date(Date.UTC(next.getUTCFullYear(), next.getUTCMonth() + 1, 0)).getUTCDate()));
  return next;
};
export const formatDay = (date) => date.toISOString().slice(0, 10);

/** The catalogue as seeded (available titles, episodes per show, genres), read once from catalog's database. */
export async function loadCatalogue(client) {
  const db = client.db(DB.catalog);
  const contents = await db
    .collection('contents')
    .find({ deletedAt: null }, { projection: { kind: 1, runtimeMinutes: 1, popularity: 1, title: 1 } })
    .toArray();
  const episodes = await db
    .collection('episodes')
    .find({}, { projection: { showId: 1, seasonNumber: 1, episodeNumber: 1, runtimeMinutes: 1 } })
    .toArray();
  const genres = await db
    .collection('genres')
    .find({}, { projection: { _id: 1 } })
    .toArray();
  const byShow = new Map();
  for (const e of episodes.sort((a, b) => a.seasonNumber - b.seasonNumber || a.episodeNumber - b.episodeNumber)) {
    if (!byShow.has(e.showId)) byShow.set(e.showId, []);
    byShow.get(e.showId).push({ id: String(e._id), runtimeSeconds: e.runtimeMinutes > 0 ? e.runtimeMinutes * 60 : null });
  }
  const titles = contents
    .sort((a, b) => (b.popularity ?? 0) - (a.popularity ?? 0))
    .map((c) => ({
      id: String(c._id),
      kind: c.kind,
      title: c.title,
      runtimeSeconds: c.runtimeMinutes > 0 ? c.runtimeMinutes * 60 : null,
      episodes: byShow.get(String(c._id)) ?? [],
    }));
  // Playable: films, and shows with at least one episode (startPlayback refuses a show without).
  const playable = titles.filter((t) => t.kind === 'MOVIE' || t.episodes.length > 0);
  return { titles, playable, genreIds: genres.map((g) => String(g._id)) };
}

/** How many of `count` new accounts are active: about 1 in 20, at least 5,000 (or all), at most 50,000. */
export const activeMembersFor = (count) => Math.min(count, Math.max(5_000, Math.min(50_000, Math.round(count / 20))));

/** `k` distinct titles of `list`, skewed towards its head (the catalogue is sorted by popularity). */
export function distinctTitles(random, list, k) {
  const chosen = new Set();
  const limit = Math.min(k, list.length);
  while (chosen.size < limit) chosen.add(Math.floor(list.length * random() ** 2));
  return [...chosen].map((i) => list[i]);
}

export function review(random) {
  const words = Array.from({ length: 4 + random.int(60) }, () => random.pick(WORDS));
  const text = words.join(' ');
  return `${text[0].toUpperCase()}${text.slice(1)}.`;
}

/** `n` rows shared out over `members`: member m gets ⌊n/M⌋ or one more. */
export const shareOf = (n, members, m) => Math.floor(n / members) + (m < n % members ? 1 : 0);
