import type { Connection } from 'mongoose';
import { createGraphQLApp, EntityClient, pingMongo, subgraphAppSettings, VersionedCache, type Logger, type RedisClient } from '@ott/kit';
import { RatingsErrorCode } from './errors';
import type { RatingsConfig } from './config';
import { contextFactory } from './context';
import { createRatingModel } from './rating/rating.model';
import { RatingService } from './rating/rating.service';
import { buildSchema } from './schema';
import { ContentLocks } from './summary/content-locks';
import { createSummaryModels } from './summary/summary.model';
import { RatingSummaryPublisher } from './summary/summary.publisher';
import { SummaryService } from './summary/summary.service';

export interface RatingsDeps {
  config: RatingsConfig;
  mongo: Connection;
  /** Caches, under this subgraph's key prefix. */
  redis: RedisClient;
  /** Without a key prefix: the events stream is shared with catalog. */
  events: RedisClient;
  logger: Logger;
}

/** A writer holds a title's lease for a few milliseconds; ten seconds means it died. */
const LEASE_MS = 10_000;
const LEASE_WAIT_MS = 15_000;

export function createModels(mongo: Connection) {
  return { ratings: createRatingModel(mongo), ...createSummaryModels(mongo) };
}

/** Models, services and the lease registry, shared by the server and the repair command. */
export function createServices({ config, mongo, events, logger }: Omit<RatingsDeps, 'redis'>) {
  const models = createModels(mongo);
  const publisher = new RatingSummaryPublisher(events, config.ratingEventsStream, logger);
  const summaries = new SummaryService(models.summaries, models.ratings, publisher, logger);
  const locks = new ContentLocks(
    models.summaries,
    logger,
    { leaseMs: LEASE_MS, waitMs: LEASE_WAIT_MS },
    {
      recover: (contentId, lease) => summaries.recompute(contentId, lease),
      released: (totals) => summaries.publish(totals),
    },
  );
  const ratings = new RatingService(models.ratings, locks);
  return { models, publisher, summaries, locks, ratings };
}

/** Schema, services and HTTP app of the ratings subgraph, without listening. */
export async function createServer(deps: RatingsDeps) {
  const { config, mongo, redis, events, logger } = deps;
  const services = createServices(deps);
  // A removed title still resolves (its tombstone) but is not available: rating it is refused.
  const catalog = new EntityClient(
    { url: config.CATALOG_URL, typename: 'Content', availableField: 'available', sharedSecret: config.SUBGRAPH_SHARED_SECRET },
    logger,
    new VersionedCache(redis, logger, { namespace: 'content', ttlSeconds: config.CONTENT_CACHE_TTL_SECONDS }),
  );
  const app = createGraphQLApp({
    name: 'ratings',
    logger,
    ...subgraphAppSettings(config),
    errorCodes: Object.values(RatingsErrorCode),
    apollo: { schema: await buildSchema() },
    context: contextFactory({ ratings: services.ratings, summaries: services.summaries, catalog }, config.tokens, logger),
    readiness: { mongodb: () => pingMongo(mongo), redis: () => redis.ping(), events: () => events.ping() },
  });
  return { app, catalog, ...services };
}
