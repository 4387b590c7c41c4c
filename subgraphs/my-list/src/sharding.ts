import { MyListItem } from './my-list/my-list-item.model';

/** Every collection this subgraph keeps, each declaring how it shards (its class's static `sharding`). */
export const SHARDING_DEFAULT_DB = 'ott_mylist';
export const MODEL_CLASSES = [MyListItem];
