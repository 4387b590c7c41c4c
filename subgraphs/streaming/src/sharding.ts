import { PlaybackSession } from './session/session.model';
import { LiveSession } from './live/live-session.model';
import { WatchProgress } from './progress/progress.model';

/** Every collection this subgraph keeps, each declaring how it shards (its class's static `sharding`). */
export const SHARDING_DEFAULT_DB = 'ott_streaming';
export const MODEL_CLASSES = [PlaybackSession, LiveSession, WatchProgress];
