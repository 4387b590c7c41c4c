import { entitlementsChanged } from '@ott/events';
import { decodingHandler, StreamConsumer, type StreamConsumerSettings, type Logger, type RedisClient } from '@ott/kit';
import type { BillingEntitlements } from './billing-entitlements';

/**
 * Follows billing's entitlements stream (consumer group "streaming"): each entry names a
 * member whose membership changed, and their cached entitlements are forgotten, so a plan
 * change, a cancellation or a failed renewal applies to the next start at once. Sessions that
 * already play keep playing; the new limits apply from the next start.
 */
export function entitlementsConsumer(
  redis: RedisClient,
  stream: string,
  settings: StreamConsumerSettings,
  entitlements: Pick<BillingEntitlements, 'invalidate'>,
  logger: Logger,
): StreamConsumer {
  return new StreamConsumer(
    redis,
    {
      stream,
      settings,
      group: 'streaming',
      unavailableMessage: 'entitlement changes unavailable: starts use cached entitlements until ENTITLEMENTS_CACHE_TTL_SECONDS',
    },
    decodingHandler(entitlementsChanged, logger, async (changes) => {
      for (const userId of new Set(changes.map((change) => change.userId))) await entitlements.invalidate(userId);
    }),
    logger,
  );
}
