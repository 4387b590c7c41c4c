import type { IncomingHttpHeaders } from 'node:http';
import type { PlaybackChannels, PlaybackEvent } from '@ott/events';
import { createRequestContext, type ChannelFeed, type Logger, type RequestContext, type TokenConfig } from '@ott/kit';
import type { CatalogTitles } from './content/catalog-titles';
import { createContentLoaders } from './content/content.loaders';
import type { BillingEntitlements } from './entitlements/billing-entitlements';
import type { PlaybackUrlSigner } from './manifest/playback-url';
import type { PlayCounts } from './plays/play-counts';
import type { ProgressService } from './progress/progress.service';
import { createSessionLoaders } from './session/session.loaders';
import type { PlaybackService } from './session/session.service';

export interface StreamingServices {
  playback: PlaybackService;
  progress: ProgressService;
  plays: PlayCounts;
  titles: CatalogTitles;
  entitlements: BillingEntitlements;
  signer: PlaybackUrlSigner;
  /** Playback events for the Subscription fields; without it they answer that live updates are unavailable. */
  playbackFeed?: ChannelFeed<PlaybackEvent, PlaybackChannels>;
}

/** Per-request loaders, from each entity's `*.loaders.ts`. */
function createLoaders(services: StreamingServices, requestId: string) {
  return { ...createSessionLoaders(services.playback), ...createContentLoaders(services, requestId) };
}

export interface Context extends RequestContext, StreamingServices {
  /** The caller's own header, passed on to billing, whose rules decide what it answers. */
  authorization: string | undefined;
  loaders: ReturnType<typeof createLoaders>;
}

export function contextFactory(services: StreamingServices, tokens: TokenConfig, logger: Logger) {
  return async (req: { headers: IncomingHttpHeaders }, requestId: string): Promise<Context> => ({
    ...createRequestContext(req.headers, requestId, tokens, logger),
    ...services,
    authorization: req.headers.authorization,
    loaders: createLoaders(services, requestId),
  });
}
