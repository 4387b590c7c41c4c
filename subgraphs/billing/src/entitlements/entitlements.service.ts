import type { EntitlementsChanged } from '@ott/events';
import type { StreamPublisher, VersionedCache } from '@ott/kit';
import { MembershipStatus, type MembershipDocument } from '../membership/membership.model';
import { VideoQuality } from '../plan/plan.model';
import type { PlanService } from '../plan/plan.service';
import type { Entitlements } from './entitlements.type';

const NONE: Entitlements = { maxStreams: 0, maxQuality: VideoQuality.SD, canStream: false };

const scopeOf = (userId: string) => `user:${userId}`;

/**
 * Entitlements are read on every playback start, so they are cached per user and the cache
 * is invalidated (by version bump, never by key scans) on every membership change. Each change
 * is also announced on the entitlements stream, so streaming forgets its own cached answer.
 */
export class EntitlementsService {
  constructor(
    private readonly cache: VersionedCache,
    private readonly plans: PlanService,
    private readonly changes: StreamPublisher<EntitlementsChanged>,
  ) {}

  of(membership: MembershipDocument | null): Entitlements {
    if (!membership || membership.status !== MembershipStatus.ACTIVE) return NONE;
    const plan = this.plans.find(membership.planCode);
    if (!plan) return NONE;
    return { maxStreams: plan.maxStreams, maxQuality: plan.maxQuality, canStream: true };
  }

  /** Read-through: `loadMembership` runs only on a miss (and is shared by concurrent misses). */
  forUser(userId: string, loadMembership: (userId: string) => Promise<MembershipDocument | null>): Promise<Entitlements> {
    return this.cache.getOrLoad(scopeOf(userId), 'entitlements', async () => this.of(await loadMembership(userId)));
  }

  /** After a membership change was written: forget the answer here, then tell streaming. */
  async invalidate(userId: string): Promise<void> {
    await this.cache.bump(scopeOf(userId));
    await this.changes.publish({ userId });
  }
}
