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
import {
  activeMembersFor,
  addMonth,
  DB,
  DEVICES,
  distinctTitles,
  FIRST,
  formatDay,
  hex,
  LAST,
  objectIdAt,
  PLANS,
  review,
  rng,
  shareOf,
} from './member-data.mjs';

const argon2 = createRequire(join(ROOT, 'subgraphs/users', 'package.json'))('@node-rs/argon2');
const DAY = 86_400_000;
const UPDATE_BATCH = 50;

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

  // Billing: every account subscribed once, as subscribeToPlan leaves it (operation SUCCEEDED,
  // the processor's payment method and charge, a PAID invoice, an ACTIVE membership).
  const subscriptions = users.map((user) => {
    const start = new Date(now - random() * 29 * DAY);
    let plan = PLANS[0];
    for (let r = random(), i = 0; i < PLANS.length; i++)
      if ((r -= PLANS[i].weight) <= 0 || i === PLANS.length - 1) {
        plan = PLANS[i];
        break;
      }
    const end = addMonth(start);
    const line = { description: `${plan.name} plan, ${formatDay(start)} to ${formatDay(end)}`, amountCents: plan.priceCents };
    return {
      user,
      plan,
      start,
      end,
      line,
      opId: objectIdAt(start.getTime()),
      membershipId: objectIdAt(start.getTime()),
      invoiceId: objectIdAt(start.getTime() + 130),
      pm: `pm_${hex(12)}`,
      ch: `ch_${hex(12)}`,
    };
  });
  const at = (s, ms) => new Date(s.start.getTime() + ms);
  await insert(
    DB.billing,
    'provider_payment_methods',
    (function* () {
      for (const s of subscriptions)
        yield { _id: s.pm, idempotencyKey: `pm:${s.opId}`, behaviour: 'succeed', label: 'tok_…', createdAt: at(s, 60), updatedAt: at(s, 60), __v: 0 };
    })(),
  );
  await insert(
    DB.billing,
    'provider_charges',
    (function* () {
      for (const s of subscriptions) {
        yield {
          _id: s.ch,
          idempotencyKey: `charge:${s.opId}`,
          paymentMethodId: s.pm,
          amountCents: s.plan.priceCents,
          currency: 'EUR',
          description: s.line.description,
          status: 'succeeded',
          requests: 1,
          createdAt: at(s, 110),
          updatedAt: at(s, 110),
          __v: 0,
        };
      }
    })(),
  );
  await insert(
    DB.billing,
    'operations',
    (function* () {
      for (const s of subscriptions) {
        yield {
          _id: s.opId,
          userId: String(s.user.id),
          key: randomUUID(),
          kind: 'SUBSCRIBE',
          fingerprint: `SUBSCRIBE:${s.plan.code}`,
          slot: `${s.user.id}:0`,
          status: 'SUCCEEDED',
          lockedUntil: at(s, 30_000),
          generation: 0,
          membershipRevision: 0,
          planCode: s.plan.code,
          currency: 'EUR',
          lines: [s.line],
          amountCents: s.plan.priceCents,
          creditUsedCents: 0,
          periodStart: s.start,
          periodEnd: s.end,
          paymentMethodId: s.pm,
          chargeId: s.ch,
          declined: false,
          invoiceId: String(s.invoiceId),
          membershipId: String(s.membershipId),
          errorCode: null,
          errorMessage: null,
          createdAt: s.start,
          updatedAt: at(s, 170),
          __v: 0,
        };
      }
    })(),
  );
  // Invoice numbers continue each year's sequence (unique (year, seq) and number), in issue order.
  const bySeqOrder = [...subscriptions].sort((a, b) => a.start - b.start);
  // Where billing's claim starts (invoice.service.ts lastSeq): the year's `invoice_sequences`
  // hint, else the year's last invoice; the hint is raised to the last number seeded below.
  const lastSeq = new Map();
  const billing = client.db(DB.billing);
  for (const s of bySeqOrder) {
    const year = at(s, 130).getUTCFullYear();
    if (!lastSeq.has(year)) {
      const hint = await billing.collection('invoice_sequences').findOne({ _id: year });
      const [last] = await billing.collection('invoices').find({ year }).sort({ seq: -1 }).limit(1).toArray();
      lastSeq.set(year, Math.max(hint?.last ?? 0, last?.seq ?? 0));
    }
  }
  await insert(
    DB.billing,
    'invoices',
    (function* () {
      for (const s of bySeqOrder) {
        const issuedAt = at(s, 130);
        const year = issuedAt.getUTCFullYear();
        const seq = lastSeq.get(year) + 1;
        lastSeq.set(year, seq);
        yield {
          _id: s.invoiceId,
          number: `INV-${year}-${String(seq).padStart(6, '0')}`,
          year,
          seq,
          sourceKey: `operation:${s.opId}`,
          userId: String(s.user.id),
          membershipId: String(s.membershipId),
          amountCents: s.plan.priceCents,
          currency: 'EUR',
          status: 'PAID',
          lines: [s.line],
          issuedAt,
          paidAt: issuedAt,
          createdAt: at(s, 138),
          updatedAt: at(s, 138),
          __v: 0,
        };
      }
    })(),
  );
  for (const [year, last] of lastSeq) await billing.collection('invoice_sequences').updateOne({ _id: year }, { $set: { last } }, { upsert: true });
  await insert(
    DB.billing,
    'memberships',
    (function* () {
      for (const s of subscriptions) {
        yield {
          _id: s.membershipId,
          userId: String(s.user.id),
          planCode: s.plan.code,
          status: 'ACTIVE',
          currentPeriodStart: s.start,
          currentPeriodEnd: s.end,
          cancelAtPeriodEnd: false,
          creditCents: 0,
          paymentMethodId: s.pm,
          revision: 1,
          endedAt: null,
          createdAt: at(s, 160),
          updatedAt: at(s, 160),
          __v: 0,
        };
      }
    })(),
  );
  const planOf = new Map(subscriptions.map((s) => [String(s.user.id), s.plan]));

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
  return report;
}
