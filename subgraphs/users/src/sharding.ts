import { User } from './user/user.model';
import { RefreshToken } from './session/refresh-token.model';

/** Every collection this subgraph keeps, each declaring how it shards (its class's static `sharding`). */
export const SHARDING_DEFAULT_DB = 'ott_users';
export const MODEL_CLASSES = [User, RefreshToken];
