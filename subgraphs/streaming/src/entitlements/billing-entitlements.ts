import { callSubgraph, type Logger, type VersionedCache } from '@ott/kit';
import type { VideoQuality } from '../session/session.enums';

/** What billing says the member may stream now (its `myEntitlements`). */
export interface Entitlements {
  canStream: boolean;
  maxStreams: number;
  maxQuality: VideoQuality;
}

const QUERY = '{ myEntitlements { canStream maxStreams maxQuality } }';

const scopeOf = (userId: string) => `user:${userId}`;

/**
 * Billing's answer for the caller, asked with the caller's own token (billing's rules decide
 * what it tells) and cached briefly per member. Billing announces every membership change
 * (entitlements.consumer.ts), which forgets the member's answer within moments, so the TTL
 * only bounds staleness when an announcement is lost.
 */
export class BillingEntitlements {
  constructor(
    private readonly billing: { url: string; sharedSecret?: string },
    private readonly cache: VersionedCache,
    private readonly logger: Logger,
  ) {}

  forCaller(userId: string, authorization: string, requestId: string): Promise<Entitlements> {
    return this.cache.getOrLoad(scopeOf(userId), 'entitlements', async () => {
      const data = await callSubgraph<{ myEntitlements: Entitlements }>(
        { url: this.billing.url, sharedSecret: this.billing.sharedSecret, query: QUERY, headers: { authorization }, requestId, owner: 'billing subgraph' },
        this.logger,
      );
      return data.myEntitlements;
    });
  }

  invalidate(userId: string): Promise<void> {
    return this.cache.bump(scopeOf(userId));
  }
}
