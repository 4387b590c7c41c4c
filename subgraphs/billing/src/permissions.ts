import { isAdmin, isOwnerOrAdmin, isPublic, isSignedIn } from '@ott/kit';

const ownsRecord = isOwnerOrAdmin('userId');
const isThatUser = isOwnerOrAdmin('id');

export const permissions = {
  Query: {
    plans: isPublic,
    invoice: isSignedIn,
    myEntitlements: isSignedIn,
  },
  Mutation: {
    subscribeToPlan: isSignedIn,
    changePlan: isSignedIn,
    cancelMembership: isSignedIn,
    runRenewals: isAdmin,
  },
  // Reached through _entities too, so the owner rule sits on the fields themselves.
  User: {
    id: isPublic,
    membership: isThatUser,
    entitlements: isThatUser,
    invoices: isThatUser,
  },
  Plan: isPublic,
  Membership: ownsRecord,
  Invoice: ownsRecord,
  InvoiceLine: isSignedIn,
  InvoiceConnection: isSignedIn,
  InvoiceEdge: isSignedIn,
  PageInfo: isSignedIn,
  Entitlements: isSignedIn,
  RenewalReport: isAdmin,
};
