import { createRequestContext, type Logger, type RequestContext, type TokenConfig, type ServiceRequest } from '@ott/kit';
import type { SessionService } from './session/session.service';
import { createUserLoaders } from './user/user.loaders';
import type { UserService } from './user/user.service';

export interface UsersServices {
  users: UserService;
  sessions: SessionService;
}

export interface Context extends RequestContext, UsersServices {
  loaders: ReturnType<typeof createUserLoaders>;
  /** Whom sign-in and sign-up limits count: the gateway's forwarded address when TRUST_PROXY names it. */
  clientIp: string;
}

export function contextFactory(services: UsersServices, tokens: TokenConfig, logger: Logger) {
  return async (req: ServiceRequest, requestId: string): Promise<Context> => ({
    ...createRequestContext(req.headers, requestId, tokens, logger),
    ...services,
    clientIp: req.clientAddress(),
    loaders: createUserLoaders(services.users),
  });
}
