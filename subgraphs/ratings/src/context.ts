import { createRequestContext, type EntityClient, type Logger, type RequestContext, type TokenConfig, type ServiceRequest } from '@ott/kit';
import { createRatingLoaders } from './rating/rating.loaders';
import type { RatingService } from './rating/rating.service';
import type { SummaryService } from './summary/summary.service';

export interface RatingsServices {
  ratings: RatingService;
  summaries: SummaryService;
  catalog: EntityClient;
}

export interface Context extends RequestContext, RatingsServices {
  loaders: ReturnType<typeof createRatingLoaders>;
}

export function contextFactory(services: RatingsServices, tokens: TokenConfig, logger: Logger) {
  return async (req: ServiceRequest, requestId: string): Promise<Context> => {
    const base = createRequestContext(req.headers, requestId, tokens, logger);
    return {
      ...base,
      ...services,
      loaders: createRatingLoaders(services.ratings, services.summaries, base.user?.id ?? null, services.catalog.createLoader(requestId)),
    };
  };
}
