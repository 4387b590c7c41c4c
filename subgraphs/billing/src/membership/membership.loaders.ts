import DataLoader from 'dataloader';
import { byIdLoader } from '@ott/kit';
import type { EntitlementsService } from '../entitlements/entitlements.service';
import type { Entitlements } from '../entitlements/entitlements.type';
import type { MembershipDocument } from './membership.model';
import type { MembershipService } from './membership.service';

/** Per-request loaders: one `$in` query per batch of users, answered in key order. */
export function createMembershipLoaders(memberships: MembershipService, entitlements: EntitlementsService) {
  const membershipByUser = byIdLoader<MembershipDocument>(
    (userIds) => memberships.findByUserIds(userIds),
    (membership) => membership.userId,
  );
  // Cache hits never reach the database; misses of one request share one membership query.
  const entitlementsByUser = new DataLoader<string, Entitlements>((userIds) =>
    Promise.all(userIds.map((id) => entitlements.forUser(id, (userId) => membershipByUser.load(userId)))),
  );
  return { membershipByUser, entitlementsByUser };
}
