import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { expect } from 'vitest';
import { startStack } from './stack';

const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }`;
const LOGIN = `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`;
const MEMBERSHIP_FIELDS = `id status currentPeriodStart currentPeriodEnd cancelAtPeriodEnd creditCents plan { id code priceCents maxStreams maxQuality }`;
export const SUBSCRIBE = `mutation ($input: SubscribeToPlanInput!) { subscribeToPlan(input: $input) { ${MEMBERSHIP_FIELDS} } }`;
export const CHANGE = `mutation ($plan: PlanCode!) { changePlan(planCode: $plan) { ${MEMBERSHIP_FIELDS} } }`;
export const CANCEL = `mutation { cancelMembership { ${MEMBERSHIP_FIELDS} } }`;
const RENEW = `mutation ($asOf: DateTime!) { runRenewals(asOf: $asOf) { asOf renewed pastDue ended } }`;
const INVOICE_FIELDS = `id number amountCents currency status lines { description amountCents } issuedAt paidAt user { id }`;
export const ME = `query ($first: Int, $after: String) { me { id
  membership { ${MEMBERSHIP_FIELDS} }
  entitlements { maxStreams maxQuality canStream }
  invoices(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${INVOICE_FIELDS} } } }
} }`;

const ADMIN = { email: 'billing-admin@example.test', password: 'admin-password-1' };
export const INVOICE_NUMBER = /^INV-\d{4}-\d{6}$/;

export interface Membership {
  id: string;
  status: string;
  currentPeriodStart: string;
  currentPeriodEnd: string;
  cancelAtPeriodEnd: boolean;
  creditCents: number;
  plan: { id: string; code: string; priceCents: number; maxStreams: number; maxQuality: string };
}
export interface Invoice {
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
export interface Me {
  id: string;
  membership: Membership | null;
  entitlements: { maxStreams: number; maxQuality: string; canStream: boolean };
  invoices: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { cursor: string; node: Invoice }[] };
}
export interface Member {
  id: string;
  token: string;
}

/** What the billing end-to-end tests share: a stack of users and billing, an ADMIN, billing's database, and a member's steps. */
export type BillingStack = Awaited<ReturnType<typeof startBillingStack>>;

/** Starts users and billing behind a gateway and signs the ADMIN in. Each test file starts its own, under its own label. */
export async function startBillingStack(label: string) {
  const stack = await startStack(label, ['users', 'billing'], { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
  try {
    const login = await stack.query<{ login: { accessToken: string } }>(LOGIN, ADMIN);
    const adminToken = login.data!.login.accessToken;
    const env = stack.subgraphEnvs.billing!;
    const db = await mongoose.createConnection(env.MONGODB_URL!, { dbName: env.MONGODB_DB }).asPromise();
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

    /** The processor's charges against the payment method this user's membership renews with. */
    async function chargesOf(who: Member) {
      const membership = await db.collection('memberships').findOne({ userId: who.id });
      return membership ? db.collection('provider_charges').find({ paymentMethodId: membership.paymentMethodId }).toArray() : [];
    }

    return {
      stack,
      adminToken,
      /** billing's own database. */
      db,
      member,
      subscribe,
      subscribed,
      me,
      renew,
      chargesOf,
      close: async () => {
        await db.close();
        await stack.close();
      },
    };
  } catch (error) {
    await stack.close();
    throw error;
  }
}
