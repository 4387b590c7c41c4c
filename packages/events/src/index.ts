// The events that cross a process, one contract each (docs/architecture.md, "Events"). Producers
// encode with them and consumers decode, through the kit's StreamPublisher, decodingHandler and
// ChannelFeed.

export { contentDeleted, type ContentDeleted } from './content-deleted';
export { entitlementsChanged, type EntitlementsChanged } from './entitlements-changed';
export { playbackChannels, playbackEvents, type PlaybackChannels, type PlaybackEvent } from './playback';
export { publicChanges, publicChangesChannel, type PublicChange } from './public-changes';
export { ratingSummaries, type RatingSummary } from './rating-summaries';
export { eventStreamEnv, eventStreams } from './streams';
