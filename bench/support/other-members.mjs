// Other members' data for bench/data-growth.bench.mjs: documents shaped exactly as the services
// write them (collection and database names, field names and order, ObjectId vs string ids,
// Dates, mongoose's `__v` and timestamps where the model has them), inserted straight through
// the MongoDB driver in batches. Each call adds one step of growth: `count` rows to every
// member-scoped collection, owned by `count` new accounts, of which a few thousand are active
// (lists, ratings, progress, sessions) over the catalogue's real titles, most popular first.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from '../../tools/stack/services.mjs';
import { activeMembersFor, DAY, DB, distinctTitles, FIRST, hex, LAST, objectIdAt, rng } from './member-data.mjs';
import { seedActivity } from './seed-activity.mjs';
import { seedBilling } from './seed-billing.mjs';

const argon2 = createRequire(join(ROOT, 'subgraphs/users', 'package.json'))('@node-rs/argon2');

/**
 * Adds one step of growth: `count` new accounts (users `from` … `from + count - 1`), and
 * `count` rows of their data in every member-scoped collection. Answers, per collection, the
 * documents inserted and the seconds taken, in the order inserted. `log(line)` reports progress.
 */
export async function seedOtherMembers(client, { from, count, catalogue, batchSize = 2_000, seed = 1, now = Date.now(), log = () => {} }) {
  const random = rng(seed * 7919 + from);
  const active = activeMembersFor(count);
  const report = [];
  if (count <= 0) return report;

  const insert = async (dbName, collection, docs) => {
    const coll = client.db(dbName).collection(collection);
    const started = performance.now();
    let inserted = 0;
    let batch = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const { insertedCount } = await coll.insertMany(batch, { ordered: true });
      inserted += insertedCount;
      batch = [];
    };
    let lastLog = started;
    for (const doc of docs) {
      batch.push(doc);
      if (batch.length >= batchSize) {
        await flush();
        if (performance.now() - lastLog > 15_000) {
          lastLog = performance.now();
          log(`  ${dbName}.${collection}: ${inserted} inserted, ${Math.round(inserted / ((lastLog - started) / 1000))} docs/s`);
        }
      }
    }
    await flush();
    const seconds = (performance.now() - started) / 1000;
    report.push({ collection: `${dbName}.${collection}`, docs: inserted, seconds });
    log(`  ${dbName}.${collection}: ${inserted} docs in ${seconds.toFixed(1)} s (${Math.round(inserted / Math.max(seconds, 0.001))} docs/s)`);
  };

  // Accounts. Real argon2id hashes (a few, reused: hashing `count` passwords would take hours).
  const hashes = await Promise.all(Array.from({ length: 4 }, () => argon2.hash(hex(12))));
  const users = Array.from({ length: count }, (_, i) => {
    const u = from + i;
    const createdAt = new Date(now - DAY * (1 + random() * 3 * 365));
    return { u, id: objectIdAt(createdAt.getTime()), createdAt, first: FIRST[u % FIRST.length], last: LAST[Math.floor(u / FIRST.length) % LAST.length] };
  });
  const members = users.slice(0, active);
  await insert(
    DB.users,
    'users',
    (function* () {
      for (const user of users) {
        const updatedAt = new Date(user.createdAt.getTime() + random() * (now - user.createdAt.getTime()));
        yield {
          _id: user.id,
          email: `${user.first}.${user.last}.${user.u}@example.com`,
          passwordHash: hashes[user.u % hashes.length],
          displayName: `${user.first[0].toUpperCase()}${user.first.slice(1)} ${user.last[0].toUpperCase()}${user.last.slice(1)}`,
          role: 'USER',
          favoriteGenreIds: distinctTitles(random, catalogue.genreIds, random.int(4)),
          createdAt: user.createdAt,
          updatedAt,
          __v: 0,
        };
      }
    })(),
  );
  // One signed-in device each: the current (unused) refresh token of its family.
  await insert(
    DB.users,
    'refresh_tokens',
    (function* () {
      for (const user of users) {
        const createdAt = new Date(now - random() * 29 * DAY);
        yield {
          _id: objectIdAt(createdAt.getTime()),
          tokenHash: createHash('sha256').update(randomBytes(32)).digest('hex'),
          userId: String(user.id),
          familyId: randomUUID(),
          expiresAt: new Date(createdAt.getTime() + 30 * DAY),
          usedAt: null,
          revokedAt: null,
          createdAt,
          __v: 0,
        };
      }
    })(),
  );

  const planOf = await seedBilling({ client, insert, random, now, users });
  await seedActivity({ client, insert, report, random, now, members, count, catalogue, planOf });
  return report;
}
