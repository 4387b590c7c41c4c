import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, graphql } from '@ott/kit/testing';
import { startStack, type Stack } from './support/stack';

const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }`;
const LOGIN = `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`;
const MEMBERSHIP_FIELDS = `id status currentPeriodStart currentPeriodEnd cancelAtPeriodEnd creditCents plan { id code priceCents maxStreams maxQuality }`;
const SUBSCRIBE = `mutation ($input: SubscribeToPlanInput!) { subscribeToPlan(input: $input) { ${MEMBERSHIP_FIELDS} } }`;
const CHANGE = `mutation ($plan: PlanCode!) { changePlan(planCode: $plan) { ${MEMBERSHIP_FIELDS} } }`;
const CANCEL = `mutation { cancelMembership { ${MEMBERSHIP_FIELDS} } }`;
const RENEW = `mutation ($asOf: DateTime!) { runRenewals(asOf: $asOf) { asOf renewed pastDue ended } }`;
const INVOICE_FIELDS = `id number amountCents currency status lines { description amountCents } issuedAt paidAt user { id }`;
const ME = `query ($first: Int, $after: String) { me { id
  membership { ${MEMBERSHIP_FIELDS} }
  entitlements { maxStreams maxQuality canStream }
  invoices(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${INVOICE_FIELDS} } } }
} }`;

const ADMIN = { email: 'billing-admin@example.test', password: 'admin-password-1' };
const INVOICE_NUMBER = /^INV-\d{4}-\d{6}$/;

interface Membership {
  id: string;
  status: string;
  currentPeriodStart: string;
  currentPeriodEnd: string;
  cancelAtPeriodEnd: boolean;
  creditCents: number;
  plan: { id: string; code: string; priceCents: number; maxStreams: number; maxQuality: string };
}
interface Invoice {
  id: string;
  number: string;
  amountCents: number;
  currency: string;
  status: string;
  lines: { description: string; amountCents: number }[];
  issuedAt: string;
  paidAt: string | null;
  user: { id: string };
}
interface Me {
  id: string;
  membership: Membership | null;
  entitlements: { maxStreams: number; maxQuality: string; canStream: boolean };
  invoices: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { cursor: string; node: Invoice }[] };
}
interface Member {
  id: string;
  token: string;
}

let stack: Stack;
let db: mongoose.Connection;
let adminToken: string;
let counter = 0;

async function member(): Promise<Member> {
  counter += 1;
  const input = { email: `billing${counter}@example.test`, password: 'correct horse battery', displayName: `Billing ${counter}` };
  const response = await stack.query<{ register: { accessToken: string; user: { id: string } } }>(REGISTER, { input });
  expect(response.errors).toBeUndefined();
  return { id: response.data!.register.user.id, token: response.data!.register.accessToken };
}

const subscribe = (who: Member, planCode: string, paymentToken = 'tok_visa', idempotencyKey: string = randomUUID()) =>
  stack.query<{ subscribeToPlan: Membership }>(SUBSCRIBE, { input: { planCode, paymentToken, idempotencyKey } }, { token: who.token });

async function subscribed(who: Member, planCode: string, paymentToken = 'tok_visa'): Promise<Membership> {
  const response = await subscribe(who, planCode, paymentToken);
  expect(response.errors).toBeUndefined();
  return response.data!.subscribeToPlan;
}

async function me(who: Member, variables: { first?: number; after?: string } = {}): Promise<Me> {
  const response = await stack.query<{ me: Me }>(ME, variables, { token: who.token });
  expect(response.errors).toBeUndefined();
  return response.data!.me;
}

const renew = (asOf: Date, token = adminToken) =>
  stack.query<{ runRenewals: { renewed: number; pastDue: number; ended: number } }>(RENEW, { asOf: asOf.toISOString() }, { token });

const charges = (filter: Record<string, unknown> = {}) => db.collection('provider_charges').find(filter).toArray();

/** The processor's charges against the payment method this user's membership renews with. */
async function chargesOf(who: Member) {
  const membership = await db.collection('memberships').findOne({ userId: who.id });
  return membership ? charges({ paymentMethodId: membership.paymentMethodId }) : [];
}

beforeAll(async () => {
  stack = await startStack('billing', ['users', 'billing'], { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
  const env = stack.subgraphEnvs.billing!;
  db = await mongoose.createConnection(env.MONGODB_URL!, { dbName: env.MONGODB_DB }).asPromise();
  const login = await stack.query<{ login: { accessToken: string } }>(LOGIN, ADMIN);
  adminToken = login.data!.login.accessToken;
});
afterAll(async () => {
  await db?.close();
  await stack?.close();
});

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
