import { buildFederatedSchema } from '@ott/kit';
import { contentReference } from './content/content.reference';
import { ContentMyListResolver } from './content/content.resolver';
import { MyListResolver } from './my-list/my-list.resolver';
import { permissions } from './permissions';
import { userReference } from './user/user.reference';
import { UserMyListResolver } from './user/user.resolver';

export const name = 'my-list';

export const buildSchema = () =>
  buildFederatedSchema({
    resolvers: [MyListResolver, UserMyListResolver, ContentMyListResolver],
    referenceResolvers: { ...userReference, ...contentReference },
    permissions,
    federationDirectives: ['@key', '@shareable', '@interfaceObject'],
  });
