import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes } from '@ott/kit/testing';
import { CANCEL, CHANGE, INVOICE_NUMBER, ME, startBillingStack, type BillingStack, type Membership } from './support/billing';
import type { Stack } from './support/stack';

// A membership's life: the plans, subscribing, bad input, changing plans and canceling.
// Invoices, who may see what, and the renewal run are in billing-invoices.e2e.test.ts.

let billing: BillingStack;
let stack: Stack;
let db: mongoose.Connection;
let member: BillingStack['member'];
let subscribe: BillingStack['subscribe'];
let subscribed: BillingStack['subscribed'];
let me: BillingStack['me'];
let chargesOf: BillingStack['chargesOf'];

beforeAll(async () => {
  billing = await startBillingStack('billing_memberships');
  ({ stack, db, member, subscribe, subscribed, me, chargesOf } = billing);
});
afterAll(() => billing?.close());

describe('plans', () => {
  it('lists the three seeded plans to anyone, cheapest first, priced in integer cents of one currency', async () => {
    const response = await stack.query<{ plans: { code: string; priceCents: number; currency: string; maxStreams: number; maxQuality: string }[] }>(
      `{ plans { code priceCents currency maxStreams maxQuality } }`,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?.plans).toEqual([
      { code: 'BASIC', priceCents: 899, currency: 'EUR', maxStreams: 1, maxQuality: 'SD' },
      { code: 'STANDARD', priceCents: 1399, currency: 'EUR', maxStreams: 2, maxQuality: 'HD' },
      { code: 'PREMIUM', priceCents: 1999, currency: 'EUR', maxStreams: 4, maxQuality: 'UHD' },
    ]);
  });
});

describe('subscribing', () => {
  it('charges the first month, activates the membership for one period and issues a PAID numbered invoice', async () => {
    const alice = await member();
    expect((await me(alice)).entitlements).toEqual({ maxStreams: 0, maxQuality: 'SD', canStream: false });

    const membership = await subscribed(alice, 'STANDARD');
    expect(membership).toMatchObject({ status: 'ACTIVE', cancelAtPeriodEnd: false, creditCents: 0, plan: { code: 'STANDARD', priceCents: 1399 } });
    const start = new Date(membership.currentPeriodStart);
    const end = new Date(membership.currentPeriodEnd);
    expect(end.getUTCMonth()).toBe((start.getUTCMonth() + 1) % 12);

    const view = await me(alice);
    expect(view.membership?.id).toBe(membership.id);
    expect(view.entitlements).toEqual({ maxStreams: 2, maxQuality: 'HD', canStream: true });
    expect(view.invoices.totalCount).toBe(1);
    const invoice = view.invoices.edges[0]!.node;
    expect(invoice).toMatchObject({ amountCents: 1399, currency: 'EUR', status: 'PAID', user: { id: alice.id } });
    expect(invoice.number).toMatch(INVOICE_NUMBER);
    expect(invoice.number.slice(4, 8)).toBe(String(new Date(invoice.issuedAt).getUTCFullYear()));
    expect(invoice.lines).toEqual([{ description: expect.stringContaining('Standard plan') as string, amountCents: 1399 }]);
    expect(invoice.paidAt).not.toBeNull();
    expect(await chargesOf(alice)).toMatchObject([{ amountCents: 1399, currency: 'EUR', status: 'succeeded' }]);
  });

  it('answers 20 concurrent identical requests with one result: one charge, one invoice, one membership', async () => {
    const bob = await member();
    const key = randomUUID();
    const responses = await Promise.all(Array.from({ length: 20 }, () => subscribe(bob, 'PREMIUM', 'tok_visa', key)));
    for (const response of responses) expect(response.errors).toBeUndefined();
    const ids = new Set(responses.map((response) => response.data?.subscribeToPlan.id));
    expect(ids.size).toBe(1);

    expect(await db.collection('memberships').countDocuments({ userId: bob.id })).toBe(1);
    expect(await db.collection('invoices').countDocuments({ userId: bob.id })).toBe(1);
    expect(await db.collection('operations').countDocuments({ userId: bob.id })).toBe(1);
    const bobCharges = await chargesOf(bob);
    expect(bobCharges).toHaveLength(1);
    expect(bobCharges[0]).toMatchObject({ amountCents: 1999 });

    const replay = await subscribe(bob, 'PREMIUM', 'tok_visa', key);
    expect(replay.data?.subscribeToPlan.id).toBe([...ids][0]);
    expect(await chargesOf(bob)).toHaveLength(1);
  });

  it('refuses the same idempotencyKey for a different plan with BAD_USER_INPUT', async () => {
    const carol = await member();
    const key = randomUUID();
    await subscribe(carol, 'BASIC', 'tok_visa', key);
    const response = await subscribe(carol, 'PREMIUM', 'tok_visa', key);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.message).toMatch(/^idempotencyKey:/);
  });

  it('answers a declined card with PAYMENT_DECLINED, activates nothing, issues no invoice, and replays the decline', async () => {
    const dave = await member();
    const key = randomUUID();
    const response = await subscribe(dave, 'BASIC', 'tok_chargeDeclined', key);
    expect(errorCodes(response)).toEqual(['PAYMENT_DECLINED']);

    const view = await me(dave);
    expect(view.membership).toBeNull();
    expect(view.entitlements.canStream).toBe(false);
    expect(view.invoices.totalCount).toBe(0);
    expect(await db.collection('invoices').countDocuments({ userId: dave.id })).toBe(0);

    expect(errorCodes(await subscribe(dave, 'BASIC', 'tok_visa', key))).toEqual(['PAYMENT_DECLINED']);
    const retried = await subscribed(dave, 'BASIC');
    expect(retried.status).toBe('ACTIVE');
  });

  it('retries a processing error with the same idempotency key and charges the card exactly once', async () => {
    const erin = await member();
    const membership = await subscribed(erin, 'BASIC', 'tok_processingError');
    expect(membership.status).toBe('ACTIVE');
    const erinCharges = await chargesOf(erin);
    expect(erinCharges).toHaveLength(1);
    expect(erinCharges[0]).toMatchObject({ amountCents: 899, status: 'succeeded' });
    expect(erinCharges[0]!.requests).toBeGreaterThan(1);
  });

  it('rejects a second subscription while one is ACTIVE, pointing to changePlan', async () => {
    const frank = await member();
    await subscribed(frank, 'BASIC');
    const response = await subscribe(frank, 'PREMIUM');
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.message).toMatch(/changePlan/);
  });

  it('never stores or logs a payment token in full', async () => {
    const dump = JSON.stringify(
      await Promise.all(
        ['provider_payment_methods', 'provider_charges', 'operations', 'memberships', 'invoices'].map((c) => db.collection(c).find().toArray()),
      ),
    );
    for (const token of ['tok_visa', 'tok_chargeDeclined', 'tok_processingError']) expect(dump).not.toContain(token);
  });
});

describe('bad input', () => {
  it('rejects an unknown plan with BAD_USER_INPUT naming planCode', async () => {
    const who = await member();
    const response = await subscribe(who, 'GOLD');
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.message).toContain('planCode');
  });

  it('rejects an empty or malformed idempotencyKey and an empty or unknown payment token, charging nothing', async () => {
    const who = await member();
    const empty = await subscribe(who, 'BASIC', 'tok_visa', '');
    expect(errorCodes(empty)).toEqual(['BAD_USER_INPUT']);
    expect(empty.errors?.[0]?.message).toMatch(/^idempotencyKey: must not be empty/);
    const spaced = await subscribe(who, 'BASIC', 'tok_visa', 'has spaces');
    expect(errorCodes(spaced)).toEqual(['BAD_USER_INPUT']);
    expect(spaced.errors?.[0]?.message).toMatch(/^idempotencyKey:/);
    const noToken = await subscribe(who, 'BASIC', '  ');
    expect(errorCodes(noToken)).toEqual(['BAD_USER_INPUT']);
    expect(noToken.errors?.[0]?.message).toMatch(/^paymentToken:/);
    const unknownToken = await subscribe(who, 'BASIC', 'tok_bogus');
    expect(errorCodes(unknownToken)).toEqual(['BAD_USER_INPUT']);
    expect(unknownToken.errors?.[0]?.message).toMatch(/^paymentToken:/);
    expect((await me(who)).membership).toBeNull();
  });

  it('answers changePlan and cancelMembership without a membership with MEMBERSHIP_REQUIRED', async () => {
    const who = await member();
    expect(errorCodes(await stack.query(CHANGE, { plan: 'PREMIUM' }, { token: who.token }))).toEqual(['MEMBERSHIP_REQUIRED']);
    expect(errorCodes(await stack.query(CANCEL, {}, { token: who.token }))).toEqual(['MEMBERSHIP_REQUIRED']);
  });

  it('rejects a change to the current plan and out-of-range page sizes with BAD_USER_INPUT', async () => {
    const who = await member();
    await subscribed(who, 'BASIC');
    const same = await stack.query(CHANGE, { plan: 'BASIC' }, { token: who.token });
    expect(errorCodes(same)).toEqual(['BAD_USER_INPUT']);
    expect(same.errors?.[0]?.message).toMatch(/^planCode:/);
    for (const first of [0, 101]) {
      const response = await stack.query(ME, { first }, { token: who.token });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    }
  });
});

describe('changing plans', () => {
  it('upgrades now, charging the prorated difference on its own invoice, and lifts the entitlements at once', async () => {
    const grace = await member();
    await subscribed(grace, 'BASIC');
    expect((await me(grace)).entitlements).toEqual({ maxStreams: 1, maxQuality: 'SD', canStream: true });

    const response = await stack.query<{ changePlan: Membership }>(CHANGE, { plan: 'PREMIUM' }, { token: grace.token });
    expect(response.errors).toBeUndefined();
    expect(response.data?.changePlan.plan.code).toBe('PREMIUM');

    const view = await me(grace);
    expect(view.entitlements).toEqual({ maxStreams: 4, maxQuality: 'UHD', canStream: true });
    expect(view.invoices.totalCount).toBe(2);
    const upgrade = view.invoices.edges[0]!.node;
    // Nearly the whole period remains, so the prorated difference rounds to the full 1999 - 899.
    expect(upgrade).toMatchObject({ status: 'PAID', amountCents: 1100, lines: [{ amountCents: 1100 }] });
    expect(upgrade.lines[0]!.description).toMatch(/Upgrade from Basic to Premium/);
    expect((await chargesOf(grace)).map((charge) => charge.amountCents).sort()).toEqual([1100, 899]);
  });

  it('downgrades now without charging, crediting the difference to the membership', async () => {
    const heidi = await member();
    await subscribed(heidi, 'PREMIUM');
    const response = await stack.query<{ changePlan: Membership }>(CHANGE, { plan: 'BASIC' }, { token: heidi.token });
    expect(response.errors).toBeUndefined();
    expect(response.data?.changePlan).toMatchObject({ plan: { code: 'BASIC' }, creditCents: 1100, status: 'ACTIVE' });
    const view = await me(heidi);
    expect(view.entitlements).toEqual({ maxStreams: 1, maxQuality: 'SD', canStream: true });
    expect(view.invoices.totalCount).toBe(1);
    expect(await chargesOf(heidi)).toHaveLength(1);
  });

  it('applies two concurrent identical upgrades once', async () => {
    const ivan = await member();
    await subscribed(ivan, 'BASIC');
    const responses = await Promise.all([1, 2, 3].map(() => stack.query<{ changePlan: Membership }>(CHANGE, { plan: 'STANDARD' }, { token: ivan.token })));
    expect(responses.filter((response) => response.data?.changePlan?.plan.code === 'STANDARD').length).toBeGreaterThan(0);
    expect(await chargesOf(ivan)).toHaveLength(2);
    expect(await db.collection('invoices').countDocuments({ userId: ivan.id })).toBe(2);
  });

  it('cancels at period end: still ACTIVE and streaming, with cancelAtPeriodEnd set', async () => {
    const judy = await member();
    const membership = await subscribed(judy, 'STANDARD');
    const response = await stack.query<{ cancelMembership: Membership }>(CANCEL, {}, { token: judy.token });
    expect(response.errors).toBeUndefined();
    expect(response.data?.cancelMembership).toMatchObject({ status: 'ACTIVE', cancelAtPeriodEnd: true, currentPeriodEnd: membership.currentPeriodEnd });
    expect((await me(judy)).entitlements.canStream).toBe(true);
    const again = await stack.query<{ cancelMembership: Membership }>(CANCEL, {}, { token: judy.token });
    expect(again.data?.cancelMembership.cancelAtPeriodEnd).toBe(true);
  });
});
