import type { Connection } from 'mongoose';
import { playbackChannels, playbackEvents } from '@ott/events';
import { ChannelFeed, createGraphQLApp, EntityClient, pingMongo, subgraphAppSettings, VersionedCache, type Logger, type RedisClient } from '@ott/kit';
import { StreamingErrorCode } from './errors';
import type { StreamingConfig } from './config';
import { CatalogTitles, TITLE_SELECTION } from './content/catalog-titles';
import { contextFactory } from './context';
import { BillingEntitlements } from './entitlements/billing-entitlements';
import { mountManifestRoute } from './manifest/manifest.route';
import { PlaybackUrlSigner } from './manifest/playback-url';
import { PlayCounts } from './plays/play-counts';
import { createWatchProgressModel } from './progress/progress.model';
import { ProgressService } from './progress/progress.service';
import { createLiveSessionModel } from './live/live-session.model';
import { serveSubscriptionSocket } from './live/subscription-socket';
import { buildSchema } from './schema';
import { PlaybackEvents } from './session/session.events';
import { createPlaybackSessionModel } from './session/session.model';
import { PlaybackService } from './session/session.service';

export interface StreamingDeps {
  config: StreamingConfig;
  mongo: Connection;
  /** Caches and counters, under this subgraph's key prefix. */
  redis: RedisClient;
  /** Without a key prefix: playback channels are named for the whole deployment. */
  events: RedisClient;
  /** A connection of its own for the Subscription fields (it enters subscriber mode), without a key prefix. */
  subscriptions?: RedisClient;
  logger: Logger;
}

export function createModels(mongo: Connection) {
  return {
    sessions: createPlaybackSessionModel(mongo),
    live: createLiveSessionModel(mongo),
    progress: createWatchProgressModel(mongo),
  };
}

/** Schema, services and HTTP app (GraphQL and the manifest endpoint) of the streaming subgraph, without listening. */
export async function createServer({ config, mongo, redis, events, subscriptions, logger }: StreamingDeps) {
  const models = createModels(mongo);
  const titleCache = new VersionedCache(redis, logger, { namespace: 'titles', ttlSeconds: config.CONTENT_CACHE_TTL_SECONDS });
  const entitlementCache = new VersionedCache(redis, logger, { namespace: 'entitlements', ttlSeconds: config.ENTITLEMENTS_CACHE_TTL_SECONDS });
  const titles = new CatalogTitles(
    new EntityClient(
      { url: config.CATALOG_URL, typename: 'Content', availableField: 'available', selection: TITLE_SELECTION, sharedSecret: config.SUBGRAPH_SHARED_SECRET },
      logger,
      titleCache,
    ),
  );
  const entitlements = new BillingEntitlements({ url: config.BILLING_URL, sharedSecret: config.SUBGRAPH_SHARED_SECRET }, entitlementCache, logger);
  const plays = new PlayCounts(redis, models.sessions, logger, { trendingTtlSeconds: config.TRENDING_CACHE_TTL_SECONDS });
  const progress = new ProgressService(models.progress);
  const playback = new PlaybackService({
    sessions: models.sessions,
    live: models.live,
    progress,
    plays,
    events: new PlaybackEvents(events, config.REDIS_KEY_PREFIX, logger),
    logger,
    timeoutMs: config.PLAYBACK_TIMEOUT_SECONDS * 1000,
  });
  const signer = new PlaybackUrlSigner(config.playbackUrlSecret, config.PLAYBACK_URL_TTL_SECONDS, config.PLAYBACK_BASE_URL);
  const playbackFeed = subscriptions ? new ChannelFeed(subscriptions, playbackEvents, playbackChannels(config.REDIS_KEY_PREFIX), logger) : undefined;
  const schema = await buildSchema();
  const context = contextFactory({ playback, progress, plays, titles, entitlements, signer, playbackFeed }, config.tokens, logger);
  const app = createGraphQLApp({
    name: 'streaming',
    logger,
    ...subgraphAppSettings(config),
    errorCodes: Object.values(StreamingErrorCode),
    apollo: { schema },
    context,
    // The Subscription fields over graphql-ws, for a router passing them through (router.yaml).
    attach: (httpServer) =>
      serveSubscriptionSocket({
        httpServer,
        schema,
        context: (headers, requestId) => context({ headers }, requestId),
        sharedSecret: config.SUBGRAPH_SHARED_SECRET,
        tokens: config.tokens,
        logger,
      }),
    readiness: { mongodb: () => pingMongo(mongo), redis: () => redis.ping() },
    routes: (express) => mountManifestRoute(express, signer, logger),
  });
  return { app, models, playback, plays, titles, entitlements, signer };
}
