import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, graphql } from '@ott/kit/testing';
import { CANCEL, CHANGE, INVOICE_NUMBER, ME, startBillingStack, SUBSCRIBE, type BillingStack } from './support/billing';
import type { Stack } from './support/stack';

// Invoices, who may read a membership and its invoices, and the renewal run.
// Subscribing and changing plans are in billing-memberships.e2e.test.ts.

let billing: BillingStack;
let stack: Stack;
let db: mongoose.Connection;
let adminToken: string;
let member: BillingStack['member'];
let subscribed: BillingStack['subscribed'];
let me: BillingStack['me'];
let renew: BillingStack['renew'];

beforeAll(async () => {
  billing = await startBillingStack('billing_invoices');
  ({ stack, db, adminToken, member, subscribed, me, renew } = billing);
});
afterAll(() => billing?.close());

describe('invoices', () => {
  it('pages a member’s invoices newest first with opaque cursors', async () => {
    const kim = await member();
    await subscribed(kim, 'BASIC');
    await stack.query(CHANGE, { plan: 'STANDARD' }, { token: kim.token });
    await stack.query(CHANGE, { plan: 'PREMIUM' }, { token: kim.token });

    const first = await me(kim, { first: 2 });
    expect(first.invoices.totalCount).toBe(3);
    expect(first.invoices.pageInfo.hasNextPage).toBe(true);
    const rest = await me(kim, { first: 2, after: first.invoices.pageInfo.endCursor! });
    expect(rest.invoices.pageInfo).toEqual({ hasNextPage: false, endCursor: rest.invoices.edges[0]!.cursor });
    const all = [...first.invoices.edges, ...rest.invoices.edges].map((edge) => edge.node);
    expect(all.map((invoice) => invoice.lines[0]!.description)).toEqual([
      expect.stringMatching(/to Premium/),
      expect.stringMatching(/to Standard/),
      expect.stringMatching(/Basic plan/),
    ]);
    const seqs = all.map((invoice) => Number(invoice.number.slice(-6)));
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));

    const bad = await stack.query(ME, { after: 'not-a-cursor' }, { token: kim.token });
    expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT']);
  });

  it('shows an invoice to its owner and to ADMIN, FORBIDDEN to anyone else, and null for an unknown id', async () => {
    const owner = await member();
    const other = await member();
    await subscribed(owner, 'BASIC');
    const invoiceId = (await me(owner)).invoices.edges[0]!.node.id;
    const QUERY = `query ($id: ID!) { invoice(id: $id) { id number user { id } } }`;

    const own = await stack.query<{ invoice: { id: string; user: { id: string } } }>(QUERY, { id: invoiceId }, { token: owner.token });
    expect(own.data?.invoice).toMatchObject({ id: invoiceId, user: { id: owner.id } });
    const asAdmin = await stack.query<{ invoice: { id: string } }>(QUERY, { id: invoiceId }, { token: adminToken });
    expect(asAdmin.data?.invoice.id).toBe(invoiceId);
    expect(errorCodes(await stack.query(QUERY, { id: invoiceId }, { token: other.token }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await stack.query(QUERY, { id: invoiceId }))).toEqual(['UNAUTHENTICATED']);
    const unknown = await stack.query(QUERY, { id: new mongoose.Types.ObjectId().toHexString() }, { token: owner.token });
    expect(unknown.errors).toBeUndefined();
    expect(unknown.data).toEqual({ invoice: null });
  });
});

describe('authorization', () => {
  it('requires a signed-in caller to subscribe', async () => {
    const response = await stack.query(SUBSCRIBE, { input: { planCode: 'BASIC', paymentToken: 'tok_visa', idempotencyKey: randomUUID() } });
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
  });

  it('lets ADMIN read any member’s membership and invoices', async () => {
    const who = await member();
    await subscribed(who, 'STANDARD');
    const response = await stack.query<{ user: { membership: { plan: { code: string } }; invoices: { totalCount: number } } }>(
      `query ($id: ID!) { user(id: $id) { membership { plan { code } } invoices { totalCount } entitlements { canStream } } }`,
      { id: who.id },
      { token: adminToken },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?.user).toMatchObject({ membership: { plan: { code: 'STANDARD' } }, invoices: { totalCount: 1 } });
  });

  it('does not reveal another member’s membership or invoices through the billing subgraph’s _entities', async () => {
    const owner = await member();
    const other = await member();
    await subscribed(owner, 'BASIC');
    const ENTITIES = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { membership { id } invoices { totalCount } } } }`;
    const reps = [{ __typename: 'User', id: owner.id }];
    const asOther = await graphql(stack.subgraphUrls.billing!, ENTITIES, { reps }, { token: other.token });
    expect(new Set(errorCodes(asOther))).toEqual(new Set(['FORBIDDEN']));
    expect(JSON.stringify(asOther.data)).not.toContain('totalCount":1');
    const signedOut = await graphql(stack.subgraphUrls.billing!, ENTITIES, { reps });
    expect(new Set(errorCodes(signedOut))).toEqual(new Set(['UNAUTHENTICATED']));
    const asOwner = await graphql<{ _entities: { invoices: { totalCount: number } }[] }>(
      stack.subgraphUrls.billing!,
      ENTITIES,
      { reps },
      { token: owner.token },
    );
    expect(asOwner.errors).toBeUndefined();
    expect(asOwner.data?._entities[0]?.invoices.totalCount).toBe(1);
  });

  it('lets only ADMIN run renewals', async () => {
    const who = await member();
    expect(errorCodes(await renew(new Date(), who.token))).toEqual(['FORBIDDEN']);
  });

  it('answers myEntitlements for the signed-in caller only', async () => {
    const who = await member();
    await subscribed(who, 'PREMIUM');
    const response = await stack.query(`{ myEntitlements { maxStreams maxQuality canStream } }`, {}, { token: who.token });
    expect(response.data).toEqual({ myEntitlements: { maxStreams: 4, maxQuality: 'UHD', canStream: true } });
    expect(errorCodes(await stack.query(`{ myEntitlements { canStream } }`))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('the renewal run', () => {
  it('renews due memberships, credits downgrades, marks declined ones PAST_DUE, ends canceled ones, and changes nothing when run again', async () => {
    const renewing = await member();
    const declining = await member();
    const canceling = await member();
    const downgraded = await member();
    await subscribed(renewing, 'STANDARD');
    const declinedBefore = await subscribed(declining, 'BASIC');
    await subscribed(canceling, 'PREMIUM');
    await stack.query(CANCEL, {}, { token: canceling.token });
    await subscribed(downgraded, 'PREMIUM');
    await stack.query(CHANGE, { plan: 'BASIC' }, { token: downgraded.token });
    // The card behind `declining` is declined from now on, as when a card is blocked by its bank.
    const declinedMembership = await db.collection('memberships').findOne({ userId: declining.id });
    await db.collection('provider_payment_methods').updateOne({ _id: declinedMembership!.paymentMethodId }, { $set: { behaviour: 'decline' } });

    const asOf = new Date(new Date(declinedBefore.currentPeriodEnd).getTime() + 60_000);
    const first = await renew(asOf);
    expect(first.errors).toBeUndefined();
    expect(first.data?.runRenewals.renewed).toBeGreaterThanOrEqual(2);
    expect(first.data?.runRenewals.pastDue).toBeGreaterThanOrEqual(1);
    expect(first.data?.runRenewals.ended).toBeGreaterThanOrEqual(1);

    const renewed = await me(renewing);
    expect(renewed.membership).toMatchObject({ status: 'ACTIVE' });
    expect(new Date(renewed.membership!.currentPeriodEnd).getTime()).toBeGreaterThan(asOf.getTime());
    expect(renewed.invoices.totalCount).toBe(2);
    expect(renewed.invoices.edges[0]!.node).toMatchObject({ status: 'PAID', amountCents: 1399 });

    const pastDue = await me(declining);
    expect(pastDue.membership?.status).toBe('PAST_DUE');
    expect(pastDue.entitlements).toEqual({ maxStreams: 0, maxQuality: 'SD', canStream: false });
    expect(pastDue.invoices.edges[0]!.node).toMatchObject({ status: 'OPEN', amountCents: 899, paidAt: null });

    const ended = await me(canceling);
    expect(ended.membership?.status).toBe('CANCELED');
    expect(ended.entitlements.canStream).toBe(false);
    expect(ended.invoices.totalCount).toBe(1);

    const credited = await me(downgraded);
    expect(credited.invoices.edges[0]!.node).toMatchObject({
      status: 'PAID',
      amountCents: 0,
      lines: [{ amountCents: 899 }, { description: 'Credit from an earlier plan change', amountCents: -899 }],
    });
    expect(credited.membership?.creditCents).toBe(1100 - 899);

    const counts = async () => ({
      invoices: await db.collection('invoices').countDocuments(),
      charges: await db.collection('provider_charges').countDocuments(),
      memberships: JSON.stringify(await db.collection('memberships').find().sort({ _id: 1 }).toArray()),
    });
    const before = await counts();
    const second = await renew(asOf);
    expect(second.data?.runRenewals).toEqual({ asOf: asOf.toISOString(), renewed: 0, pastDue: 0, ended: 0 });
    expect(await counts()).toEqual(before);
  });

  it('lets a PAST_DUE member subscribe again, voiding the open invoice', async () => {
    const who = await member();
    const membership = await subscribed(who, 'BASIC', 'tok_visa');
    const stored = await db.collection('memberships').findOne({ userId: who.id });
    await db.collection('provider_payment_methods').updateOne({ _id: stored!.paymentMethodId }, { $set: { behaviour: 'decline' } });
    await renew(new Date(new Date(membership.currentPeriodEnd).getTime() + 1_000));
    expect((await me(who)).membership?.status).toBe('PAST_DUE');

    const again = await subscribed(who, 'STANDARD');
    expect(again).toMatchObject({ id: membership.id, status: 'ACTIVE', plan: { code: 'STANDARD' } });
    const statuses = (await me(who)).invoices.edges.map((edge) => edge.node.status);
    expect(statuses).toEqual(['PAID', 'VOID', 'PAID']);
  });

  it('numbers every invoice of a year sequentially without gaps', async () => {
    const invoices = await db.collection('invoices').find().toArray();
    const byYear = new Map<number, number[]>();
    for (const invoice of invoices) {
      expect(invoice.number).toMatch(INVOICE_NUMBER);
      byYear.set(invoice.year as number, [...(byYear.get(invoice.year as number) ?? []), Number((invoice.number as string).slice(-6))]);
    }
    for (const seqs of byYear.values()) {
      expect(seqs.sort((a, b) => a - b)).toEqual(seqs.map((_, i) => i + 1));
    }
  });
});
