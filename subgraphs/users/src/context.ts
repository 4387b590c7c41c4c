import type { Request } from 'express';
import { createRequestContext, type Logger, type RequestContext, type TokenConfig } from '@ott/kit';
import type { SessionService } from './session/session.service';
import { createUserLoaders } from './user/user.loaders';
import type { UserService } from './user/user.service';

export interface UsersServices {
  users: UserService;
  sessions: SessionService;
}

export interface Context extends RequestContext, UsersServices {
  loaders: ReturnType<typeof createUserLoaders>;
}

export function contextFactory(services: UsersServices, tokens: TokenConfig, logger: Logger) {
  return async (req: Request, requestId: string): Promise<Context> => ({
    ...createRequestContext(req.headers, requestId, tokens, logger),
    ...services,
    loaders: createUserLoaders(services.users),
  });
}

