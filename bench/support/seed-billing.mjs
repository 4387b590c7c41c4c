// Billing of other members for bench/support/other-members.mjs: every account subscribed once,
// as subscribeToPlan leaves it (operation SUCCEEDED, the processor's payment method and charge,
// a PAID invoice, an ACTIVE membership).
import { randomUUID } from 'node:crypto';
import { addMonth, DAY, DB, formatDay, hex, objectIdAt, PLANS } from './member-data.mjs';

/** Inserts the accounts' billing; answers each member's plan by user id. */
export async function seedBilling({ client, insert, random, now, users }) {
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
  return planOf;
}
