import { buildFederatedSchema } from '@ott/kit';
import { EntitlementsResolver } from './entitlements/entitlements.resolver';
import { invoiceReference } from './invoice/invoice.reference';
import { InvoiceResolver } from './invoice/invoice.resolver';
import { MembershipResolver } from './membership/membership.resolver';
import { permissions } from './permissions';
import { planReference } from './plan/plan.reference';
import { PlanResolver } from './plan/plan.resolver';
import { RenewalResolver } from './renewal/renewal.resolver';
import { userReference } from './user/user.reference';
import { UserBillingResolver } from './user/user.resolver';

export const name = 'billing';

export const buildSchema = () =>
  buildFederatedSchema({
    resolvers: [PlanResolver, MembershipResolver, InvoiceResolver, UserBillingResolver, EntitlementsResolver, RenewalResolver],
    referenceResolvers: { ...planReference, ...invoiceReference, ...userReference },
    permissions,
    federationDirectives: ['@key', '@shareable'],
  });
