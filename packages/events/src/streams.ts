import { z } from 'zod';
import { streamConsumerEnv, streamConsumerSettings } from '@ott/kit';
import { contentDeleted } from './content-deleted';
import { entitlementsChanged } from './entitlements-changed';
import { ratingSummaries } from './rating-summaries';

/**
 * Where each stream contract's entries live. Publisher and consumers must name the same stream,
 * so every service reads the same settings with the same defaults (`<prefix>events:<name>`),
 * from here; with the kit's settings for this process's consumers.
 */
export const eventStreamEnv = {
  ...streamConsumerEnv,
  /** ratings → catalog: per-title sums and counts (catalog's RATING_DESC sort). */
  RATING_EVENTS_STREAM: z.string().min(1).optional(),
  /** catalog → my-list, ratings, streaming: titles removed from the catalogue. */
  CONTENT_DELETED_STREAM: z.string().min(1).optional(),
  /** billing → streaming: a member's entitlements changed (plan change, cancellation, renewal). */
  ENTITLEMENTS_EVENTS_STREAM: z.string().min(1).optional(),
};

type EventStreamConfig = { REDIS_KEY_PREFIX: string } & Parameters<typeof streamConsumerSettings>[0] & {
    RATING_EVENTS_STREAM?: string;
    CONTENT_DELETED_STREAM?: string;
    ENTITLEMENTS_EVENTS_STREAM?: string;
  };

export function eventStreams(config: EventStreamConfig) {
  const named = (configured: string | undefined, contract: { name: string }) => configured ?? `${config.REDIS_KEY_PREFIX}events:${contract.name}`;
  return {
    ratingEventsStream: named(config.RATING_EVENTS_STREAM, ratingSummaries),
    contentDeletedStream: named(config.CONTENT_DELETED_STREAM, contentDeleted),
    entitlementsEventsStream: named(config.ENTITLEMENTS_EVENTS_STREAM, entitlementsChanged),
    streamConsumer: streamConsumerSettings(config),
  };
}
