import { buildFederatedSchema } from '@ott/kit';
import { ContentRatingsResolver } from './content/content.resolver';
import { permissions } from './permissions';
import { ratingsReferences } from './rating/rating.reference';
import { RatingResolver } from './rating/rating.resolver';
import { UserRatingsResolver } from './user/user.resolver';

export const name = 'ratings';

export const buildSchema = () =>
  buildFederatedSchema({
    resolvers: [RatingResolver, ContentRatingsResolver, UserRatingsResolver],
    referenceResolvers: ratingsReferences,
    permissions,
    federationDirectives: ['@key', '@shareable', '@interfaceObject'],
  });
