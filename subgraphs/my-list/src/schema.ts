import { buildFederatedSchema } from '@ott/kit';
import { contentReference } from './content/content.reference';
import { ContentMyListResolver } from './content/content.resolver';
import { MyListResolver } from './my-list/my-list.resolver';
import { permissions } from './permissions';
import { userReference } from './user/user.reference';
import { UserMyListResolver } from './user/user.resolver';
import { User } from './user/user.stub';

export const name = 'my-list';

export const buildSchema = () =>
  buildFederatedSchema({
    resolvers: [MyListResolver, UserMyListResolver, ContentMyListResolver],
    // No root field returns a User: the gateway reaches it through _entities only.
    orphanedTypes: [User],
    referenceResolvers: { ...userReference, ...contentReference },
    permissions,
    federationDirectives: ['@key', '@shareable', '@interfaceObject'],
  });
