import { playbackChannels, playbackEvents } from '@ott/events';
import { ChannelFeed, createGraphQLApp, metricsListener, RateLimits, serviceMetrics, type Logger, type RedisClient } from '@ott/kit';
import { ClientConcurrency } from './client-concurrency';
import type { GatewayConfig } from './config';
import { gatewayContextFactory, type GatewayContext } from './context';
import { SUBGRAPH_ERROR_CODES } from './error-codes';
import { serveGraphiQL } from './explorer/graphiql';
import { mountJwks } from './jwks';
import { DeferringGateway } from './defer/deferring-gateway';
import { OperationChecks } from './operation-checks';
import { OutagePaths } from './outage-paths';
import { gatewayMetrics } from './metrics';
import { PublicAnswers } from './response-cache';
import { rateLimitedStatusPlugin, requestBudget } from './request-budget';
import { subgraphSource } from './transport/chain';
import { subscriptionRefusal, trustedDocuments, trustedDocumentsPlugin } from './trusted-documents';
import { sandboxWithSubscriptions } from './subscriptions/landing-page';

import { SubscribingGateway } from './subscriptions/subscribing-gateway';
import { httpSubscriptions } from './subscriptions/http-subscriptions';
import { LiveSubscriptions } from './subscriptions/live-subscriptions';
import { serveSubscriptions } from './subscriptions/subscription-server';

export interface GatewayDeps {
  config: GatewayConfig;
  supergraphSdl: string;
  /** A connection of its own for playback events (it enters subscriber mode). */
  events: RedisClient;
  /** Commands: the request budget's counters. */
  redis: RedisClient;
  logger: Logger;
}

export function createServer({ config, supergraphSdl, events, redis, logger }: GatewayDeps) {
  const metrics = gatewayMetrics(serviceMetrics('gateway'));
  const budget = requestBudget(new RateLimits(redis, logger), {
    perMemberPerMinute: config.GATEWAY_REQUESTS_PER_MINUTE_MEMBER,
    perAnonymousAddressPerMinute: config.GATEWAY_REQUESTS_PER_MINUTE_ANONYMOUS,
  });
  const checks = new OperationChecks(config.limits);
  const concurrency = new ClientConcurrency(
    { operations: config.GATEWAY_CONCURRENT_OPERATIONS_PER_CLIENT, cost: config.GATEWAY_CONCURRENT_COST_PER_CLIENT },
    checks.costOf,
  );
  const trusted = trustedDocuments(config, logger);
  const publicAnswers = config.RESPONSE_CACHE_MAX_AGE_SECONDS > 0 ? new PublicAnswers({ maxAgeSeconds: config.RESPONSE_CACHE_MAX_AGE_SECONDS }) : undefined;
  const deferring = new DeferringGateway({
    supergraphSdl,
    logger,
    buildService: ({ name, url }) => {
      const target = config.subgraphUrls[name] ?? url;
      if (!target) throw new Error(`no URL for subgraph ${name}`);
      const features = publicAnswers ? [publicAnswers.subgraphHook] : [];
      return new OutagePaths(
        subgraphSource({
          name,
          url: target,
          timeoutMs: config.SUBGRAPH_TIMEOUT_MS,
          sharedSecret: config.SUBGRAPH_SHARED_SECRET,
          timing: metrics.subgraphCalls(name),
          features,
        }),
      );
    },
  });
  const gateway = new SubscribingGateway(deferring, concurrency.admit);
  const feed = new ChannelFeed(events, playbackEvents, playbackChannels(config.REDIS_KEY_PREFIX), logger);
  publicAnswers?.listen(events, config.REDIS_KEY_PREFIX, logger);
  let live: LiveSubscriptions | undefined;
  let sockets: ReturnType<typeof serveSubscriptions> | undefined;
  const keepAliveMs = config.WS_KEEPALIVE_SECONDS * 1000;
  const streams = httpSubscriptions({ live: () => live, trustProxy: config.TRUST_PROXY, keepAliveMs, logger });
  const subscriptionStats = () => {
    if (!live || !sockets) return undefined;
    const [ws, http] = [sockets.stats(), streams.stats()];
    return { connections: ws.connections + http.connections, subscriptions: ws.subscriptions + http.subscriptions, executions: live.executions };
  };
  metrics.watchSubscriptions(subscriptionStats);

  const app = createGraphQLApp<GatewayContext>({
    name: 'gateway',
    logger,
    production: config.production,
    metrics: metricsListener(config),
    apollo: { gateway, validationRules: checks.rules, parseOptions: { maxTokens: config.limits.maxTokens } },
    context: gatewayContextFactory(config.tokens, logger, budget, config.REQUEST_TIMEOUT_MS),
    trustProxy: config.TRUST_PROXY,
    authErrorStatus: 401,
    errorCodes: SUBGRAPH_ERROR_CODES,
    drainSeconds: config.SHUTDOWN_DRAIN_SECONDS,
    plugins: [
      trustedDocumentsPlugin(config.GATEWAY_TRUSTED_DOCUMENTS, trusted),
      checks.plugin(),
      deferring.plugin(concurrency.admit, logger),
      ...(publicAnswers ? [publicAnswers.plugin()] : []),
      rateLimitedStatusPlugin<GatewayContext>(),
    ],
    landingPage: sandboxWithSubscriptions(),
    routes: (app) => {
      mountJwks(app, config.tokens);
      if (!config.production) serveGraphiQL(app, logger);
      // Subscriptions over HTTP (multipart, SSE), before Apollo Server sees the request.
      app.post('/graphql', streams.route);
    },
    attach: (httpServer, apollo) => {
      live = new LiveSubscriptions({
        apollo,
        schema: () => gateway.apiSchema,
        requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
        feed,
        tokens: config.tokens,
        logger,
        budget,
        pushed: metrics.pushed,
        untrusted: (query) => subscriptionRefusal(query, config.GATEWAY_TRUSTED_DOCUMENTS, trusted),
        checks,
        limits: {
          subscriptionsPerConnection: config.SUBSCRIPTIONS_PER_CONNECTION,
          connectionsPerMember: config.WS_CONNECTIONS_PER_MEMBER,
          bufferedEvents: config.SUBSCRIPTION_BUFFER_EVENTS,
          keepAliveMs,
        },
      });
      const ws = serveSubscriptions({ httpServer, live, keepAliveMs, trustProxy: config.TRUST_PROXY });
      sockets = ws;
      return {
        close: async () => {
          streams.close();
          await ws.close();
        },
      };
    },
    // What this gateway needs to serve; subgraphs are not asked (a stalled one only nulls its
    // own fields, and its calls show in gateway_subgraph_fetch_duration_seconds by outcome).
    readiness: {
      supergraph: async () => gateway.apiSchema,
      redis: () => redis.ping(),
      playbackEvents: async () => {
        if (events.status !== 'ready') throw new Error(`playback events connection is ${events.status}`);
      },
    },
  });
  return { app, subscriptionStats };
}
