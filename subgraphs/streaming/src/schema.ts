import { buildFederatedSchema } from '@ott/kit';
import { contentReference } from './content/content.reference';
import { ContentPlaysResolver } from './content/content.resolver';
import { permissions } from './permissions';
import { WatchProgressResolver } from './progress/progress.resolver';
import { sessionReference } from './session/session.reference';
import { PlaybackSessionResolver } from './session/session.resolver';
import { PlaybackSubscriptionResolver } from './session/session.subscriptions';
import { userReference } from './user/user.reference';
import { UserStreamingResolver } from './user/user.resolver';

export const name = 'streaming';

export const buildSchema = () =>
  buildFederatedSchema({
    resolvers: [PlaybackSessionResolver, PlaybackSubscriptionResolver, ContentPlaysResolver, UserStreamingResolver, WatchProgressResolver],
    referenceResolvers: { ...sessionReference, ...userReference, ...contentReference },
    permissions,
    federationDirectives: ['@key', '@shareable', '@interfaceObject'],
  });
