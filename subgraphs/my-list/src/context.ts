import { createRequestContext, type EntityClient, type Logger, type RequestContext, type TokenConfig, type ServiceRequest } from '@ott/kit';
import { createMyListLoaders } from './my-list/my-list.loaders';
import type { MyListService } from './my-list/my-list.service';

export interface MyListServices {
  myList: MyListService;
  catalog: EntityClient;
}

export interface Context extends RequestContext {
  myList: MyListService;
  loaders: ReturnType<typeof createMyListLoaders>;
}

export function contextFactory(services: MyListServices, tokens: TokenConfig, logger: Logger) {
  return async (req: ServiceRequest, requestId: string): Promise<Context> => {
    const base = createRequestContext(req.headers, requestId, tokens, logger);
    return {
      ...base,
      myList: services.myList,
      loaders: createMyListLoaders(services.myList, services.catalog, base.user?.id, requestId),
    };
  };
}
