import { buildFederatedSchema } from '@ott/kit';
import { permissions } from './permissions';
import { SessionResolver } from './session/session.resolver';
import { UserResolver } from './user/user.resolver';
import { userReference } from './user/user.reference';

export const name = 'users';

export const buildSchema = () =>
  buildFederatedSchema({
    resolvers: [UserResolver, SessionResolver],
    referenceResolvers: userReference,
    permissions,
    federationDirectives: ['@key'],
  });
