import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ApolloServer,
  type ApolloServerOptions,
  type ApolloServerPlugin,
  type BaseContext,
} from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express, type Request, type Response } from 'express';
import type { TrustProxy } from './client-address';
import { createErrorFormatter } from './errors';
import { mountHealth, type ReadinessChecks } from './health';
import type { Logger } from './logger';
import { requestIdFrom } from './context';

type ServiceContext = BaseContext & { requestId: string };

export interface GraphQLAppOptions<C extends ServiceContext> {
  name: string;
  logger: Logger;
  production: boolean;
  /** The schema of a subgraph, or the gateway of the supergraph. */
  apollo: Pick<ApolloServerOptions<C>, 'schema' | 'gateway'>;
  context: (req: Request, requestId: string) => Promise<C>;
  readiness: ReadinessChecks;
  /** Who may name the client in X-Forwarded-For (`req.ip`); no one unless given. */
  trustProxy?: TrustProxy;
  plugins?: ApolloServerPlugin<C>[];
  /** HTTP endpoints of the service's own beside /graphql and /health (e.g. streaming's manifests). */
  routes?: (app: Express) => void;
  /** Replaces the development landing page (the gateway's Sandbox also needs its subscription endpoint). */
  landingPage?: ApolloServerPlugin<C>;
  /**
   * Serves more on the same HTTP server once Apollo Server has started (the gateway's
   * WebSocket subscriptions); closed before Apollo Server stops.
   */
  attach?: (httpServer: Server, apollo: ApolloServer<C>) => { close(): Promise<void> };
}

export interface GraphQLApp {
  /** Starts listening; port 0 picks a free port. */
  listen(host: string, port: number): Promise<RunningServer>;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Logs one line per operation: name, duration and error codes, never variables or tokens. */
function requestLogPlugin<C extends ServiceContext>(logger: Logger): ApolloServerPlugin<C> {
  return {
    async requestDidStart({ request, contextValue }) {
      const started = performance.now();
      return {
        async willSendResponse({ response, errors }) {
          const codes = errors?.map((e) => e.extensions?.code ?? 'UNKNOWN');
          const status = response.http.status ?? 200;
          logger.info(
            {
              requestId: contextValue.requestId,
              operation: request.operationName ?? undefined,
              durationMs: Math.round((performance.now() - started) * 10) / 10,
              status,
              errors: codes?.length ? codes : undefined,
            },
            'graphql request',
          );
        },
      };
    },
  };
}

/**
 * Express + Apollo Server with what every service of the graph shares: health endpoints,
 * request ids, error masking, CSRF prevention, a landing page only outside production, and
 * keep-alive longer than the gateway's pooled sockets live.
 */
export function createGraphQLApp<C extends ServiceContext>(options: GraphQLAppOptions<C>): GraphQLApp {
  const { logger } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy ?? false);
  const httpServer: Server = createServer(app);
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;

  const apollo = new ApolloServer<C>({
    ...options.apollo,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    formatError: createErrorFormatter(logger),
    logger,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      options.production
        ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
        : (options.landingPage ?? ApolloServerPluginLandingPageLocalDefault({ footer: false, embed: true })),
      // Before the log line, so it shows the status they set.
      ...(options.plugins ?? []),
      requestLogPlugin<C>(logger),
    ],
  } as ApolloServerOptions<C>);

  mountHealth(app, options.readiness);
  options.routes?.(app);

  return {
    async listen(host, port) {
      await apollo.start();
      const attached = options.attach?.(httpServer, apollo);
      app.use(
        '/graphql',
        (req: Request, res: Response, next) => {
          const requestId = requestIdFrom(req.headers);
          res.locals.requestId = requestId;
          res.setHeader('x-request-id', requestId);
          next();
        },
        express.json({ limit: '1mb' }),
        expressMiddleware(apollo, {
          context: ({ req, res }) => options.context(req, res.locals.requestId as string),
        }),
      );
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => resolve());
      });
      const address = httpServer.address() as AddressInfo;
      const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
      const url = `http://${shownHost}:${address.port}/graphql`;
      logger.info({ url }, `${options.name} listening`);
      return {
        url,
        port: address.port,
        close: async () => {
          await attached?.close();
          await apollo.stop();
        },
      };
    },
  };
}
