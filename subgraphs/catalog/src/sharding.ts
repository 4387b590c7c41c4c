import { Content } from './content/content.model';
import { Episode } from './episode/episode.model';
import { Genre } from './genre/genre.model';

/** Every collection this subgraph keeps, each declaring how it shards (its class's static `sharding`). */
export const SHARDING_DEFAULT_DB = 'ott_catalog';
export const MODEL_CLASSES = [Content, Episode, Genre];
