import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerOptions, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageLocalDefault, ApolloServerPluginLandingPageProductionDefault } from '@apollo/server/plugin/landingPage/default';
import { GraphQLError } from 'graphql';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { TrustProxy } from './client-address';
import { metricsListener } from './config';
import { createErrorFormatter } from './errors';
import { mountHealth, type ReadinessChecks } from './health';
import type { Logger } from './logger';
import { serviceMetrics } from './metrics';
import { serveMetrics } from './metrics-listener';
import { refusals, graphqlRoute, REQUEST_BODY_LIMIT_BYTES, sendJsonError, type ServiceRequest } from './graphql-route';
import { operationResolutionPlugin } from './request-guards';
import { authErrorPlugin, requestLogPlugin } from './service-plugins';
import { tracingEnabled } from './tracing';

export type ServiceContext = BaseContext & {
  requestId: string;
  authError?: GraphQLError;
  tokenCheck?: Promise<GraphQLError | undefined>;
  subscriptionUpdate?: boolean;
};

export interface GraphQLAppOptions<C extends ServiceContext> {
  name: string;
  logger: Logger;
  production: boolean;
  /** The schema of a subgraph, or the gateway of the supergraph, and the gateway's limits on documents. */
  apollo: Pick<ApolloServerOptions<C>, 'schema' | 'gateway' | 'validationRules' | 'parseOptions'>;
  context: (request: ServiceRequest, requestId: string) => Promise<C>;
  readiness: ReadinessChecks;
  /** Where /metrics is served, on a listener of its own (`metricsListener(config)`); port 0 picks a free port. */
  metrics: { host: string; port: number };
  /** Who may name the client in X-Forwarded-For (`req.ip`); no one unless given. */
  trustProxy?: TrustProxy;
  plugins?: ApolloServerPlugin<C>[];
  /** HTTP endpoints of the service's own beside /graphql and /health (e.g. streaming's manifests). */
  routes?: (app: Express) => void;
  /** Replaces the development landing page (the gateway's Sandbox also needs its subscription endpoint). */
  landingPage?: ApolloServerPlugin<C>;
  /** SHUTDOWN_DRAIN_SECONDS: how long readiness answers 503 before the server stops (default 5 in production, else 0). */
  drainSeconds?: number;
  /** SUBGRAPH_SHARED_SECRET: when set, /graphql answers only callers that send it (FORBIDDEN otherwise). */
  sharedSecret?: string;
  /**
   * Database operations one request may run at once (each subgraph's DB_CONCURRENCY_PER_REQUEST):
   * one request cannot take the whole pool and the database from its neighbours.
   */
  dbConcurrencyPerRequest?: number;
  /**
   * The HTTP status of a request whose token does not verify: 401 where clients call (the
   * gateway), 200 between services (the default), so the gateway passes the error on as it is.
   */
  authErrorStatus?: 200 | 401;
  /** The service's own error codes, beside the kit's generic ones: clients see them (src/errors.ts). */
  errorCodes?: readonly string[];
  /**
   * Serves more on the same HTTP server once Apollo Server has started (the gateway's
   * WebSocket subscriptions); closed before Apollo Server stops.
   */
  attach?: (httpServer: Server, apollo: ApolloServer<C>) => { close(): Promise<void> };
}

/** What every subgraph's settings (the kit's shared env) say about its HTTP service. */
export const subgraphAppSettings = (config: {
  production: boolean;
  DB_CONCURRENCY_PER_REQUEST: number;
  SUBGRAPH_SHARED_SECRET?: string;
  SHUTDOWN_DRAIN_SECONDS?: number;
  PORT: number;
  METRICS_HOST: string;
  METRICS_PORT?: number;
}) => ({
  production: config.production,
  metrics: metricsListener(config),
  dbConcurrencyPerRequest: config.DB_CONCURRENCY_PER_REQUEST,
  sharedSecret: config.SUBGRAPH_SHARED_SECRET,
  drainSeconds: config.SHUTDOWN_DRAIN_SECONDS,
});

export interface GraphQLApp {
  /** Starts listening; port 0 picks a free port. */
  listen(host: string, port: number): Promise<RunningServer>;
}

export interface RunningServer {
  url: string;
  port: number;
  /** Where Prometheus scrapes this service (METRICS_HOST, METRICS_PORT). */
  metricsUrl: string;
  close(): Promise<void>;
}

function notFound(req: Request, res: Response): void {
  sendJsonError(res, 404, 'NOT_FOUND', `Nothing is served at ${req.method} ${req.path}: GraphQL is at /graphql.`);
}

/**
 * Refusals of what Express itself rejects (the body parser's bad JSON, oversized or
 * non-object bodies) as JSON GraphQL errors with a code, never its HTML page with a stack, in
 * every NODE_ENV; anything else is logged and masked.
 */
function requestErrorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(err);
    const { type, status } = (err ?? {}) as { type?: string; status?: number };
    if (type === 'entity.parse.failed') return void sendJsonError(res, 400, 'BAD_REQUEST', refusals.BAD_JSON);
    if (type === 'entity.too.large') return void sendJsonError(res, 413, 'BAD_REQUEST', refusals.TOO_LARGE);
    if (type === 'encoding.unsupported' || type === 'charset.unsupported') return void sendJsonError(res, 415, 'BAD_REQUEST', 'Send the body as UTF-8 JSON.');
    if (typeof status === 'number' && status >= 400 && status < 500) return void sendJsonError(res, status, 'BAD_REQUEST', 'The request is malformed.');
    logger.error({ err, requestId: res.locals.requestId, path: req.path }, 'unexpected error while reading a request');
    sendJsonError(res, 500, 'INTERNAL_SERVER_ERROR', refusals.INTERNAL);
  };
}

/**
 * Apollo Server behind /graphql (graphql-route.ts) and Express for the rest, with what every
 * service of the graph shares: health endpoints, request ids, error masking, CSRF prevention,
 * a landing page only outside production, and keep-alive longer than the gateway's pooled
 * sockets live.
 */
export function createGraphQLApp<C extends ServiceContext>(options: GraphQLAppOptions<C>): GraphQLApp {
  const { logger } = options;
  const metrics = serviceMetrics(options.name);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy ?? false);
  // A plain JSON POST to /graphql skips Express (graphql-route.ts); everything else is Express's.
  let direct: ReturnType<typeof graphqlRoute<C>> | undefined;
  const httpServer: Server = createServer((req, res) => {
    if (direct?.takesDirectly(req)) void direct.serveDirectly(req, res);
    else app(req, res);
  });
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;

  const apollo = new ApolloServer<C>({
    ...options.apollo,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    // No "Did you mean …?" in production: a client could map the schema, introspection off, by guessing.
    hideSchemaDetailsFromClientErrors: options.production,
    // runService owns SIGTERM/SIGINT: Apollo's own handlers (on unless NODE_ENV=test) would stop
    // the server at once, skipping the readiness drain, and re-raise the signal.
    stopOnTerminationSignals: false,
    formatError: createErrorFormatter(logger, options.errorCodes),
    logger,
    plugins: [
      // First: a document without a runnable operation is refused before any other plugin looks for it.
      operationResolutionPlugin<C>(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      options.production
        ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
        : (options.landingPage ?? ApolloServerPluginLandingPageLocalDefault({ footer: false, embed: true })),
      authErrorPlugin<C>(options.authErrorStatus ?? 200),
      // Before the log line, so it shows the status they set.
      ...(options.plugins ?? []),
      requestLogPlugin<C>(logger, metrics),
    ],
  } as ApolloServerOptions<C>);

  let draining = false;
  mountHealth(app, options.readiness, () => draining);
  options.routes?.(app);

  return {
    async listen(host, port) {
      await apollo.start();
      const attached = options.attach?.(httpServer, apollo);
      const route = graphqlRoute<C>({
        apollo,
        context: options.context,
        logger,
        trustProxy: options.trustProxy ?? false,
        sharedSecret: options.sharedSecret,
        dbConcurrencyPerRequest: options.dbConcurrencyPerRequest,
        traced: tracingEnabled(),
      });
      direct = route;
      app.use(
        '/graphql',
        (req: Request, res: Response, next: NextFunction) => {
          const requestId = route.admit(req, res);
          if (!requestId) return;
          res.locals.requestId = requestId;
          next();
        },
        express.json({ limit: REQUEST_BODY_LIMIT_BYTES }),
        (req: Request, res: Response, next: NextFunction) => {
          route.serve(req, res, res.locals.requestId as string, req.body).catch(next);
        },
      );
      app.use(notFound);
      app.use(requestErrorHandler(logger));
      // Before the public port: once that answers, /metrics does too. A port taken stops the start.
      const metricsServer = await serveMetrics(metrics, options.metrics.host, options.metrics.port, logger);
      try {
        await new Promise<void>((resolve, reject) => {
          httpServer.once('error', reject);
          httpServer.listen(port, host, () => resolve());
        });
      } catch (error) {
        await metricsServer.close();
        throw error;
      }
      const address = httpServer.address() as AddressInfo;
      const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
      const url = `http://${shownHost}:${address.port}/graphql`;
      logger.info({ url }, `${options.name} listening`);
      return {
        url,
        port: address.port,
        metricsUrl: metricsServer.url,
        close: async () => {
          draining = true;
          const drainSeconds = options.drainSeconds ?? (options.production ? 5 : 0);
          if (drainSeconds > 0) {
            logger.info({ drainSeconds }, `${options.name} draining: not ready, still answering`);
            await new Promise((resolve) => setTimeout(resolve, drainSeconds * 1000));
          }
          await attached?.close();
          await apollo.stop();
          await metricsServer.close();
        },
      };
    },
  };
}
