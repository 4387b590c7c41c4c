import { Rating } from './rating/rating.model';
import { RatingSummary } from './summary/summary.model';

/** Every collection this subgraph keeps, each declaring how it shards (its class's static `sharding`). */
export const SHARDING_DEFAULT_DB = 'ott_ratings';
export const MODEL_CLASSES = [Rating, RatingSummary];
