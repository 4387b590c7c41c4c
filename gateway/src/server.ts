import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import type { Redis } from 'ioredis';
import { createGraphQLApp, DEADLINE_HEADER, RateLimits, serviceMetrics, SUBGRAPH_SECRET_HEADER, type Logger } from '@ott/kit';
import type { GatewayConfig } from './config';
import { gatewayContextFactory, type GatewayContext } from './context';
import { costLimitPlugin, limitRules } from './limits';
import { gatewayMetrics } from './metrics';
import { rateLimitedStatusPlugin, requestBudget } from './request-budget';
import { sandboxWithSubscriptions } from './subscriptions/landing-page';
import { PlaybackFeed } from './subscriptions/playback-feed';
import { SubscribingGateway } from './subscriptions/subscribing-gateway';
import { serveSubscriptions } from './subscriptions/subscription-server';

/** Passes the caller's credentials, address, request id and deadline on to every subgraph call. */
class ForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    options: ConstructorParameters<typeof RemoteGraphQLDataSource<GatewayContext>>[0],
    private readonly subgraph: string,
    private readonly sharedSecret: string | undefined,
  ) {
    super(options);
  }

  /**
   * A call that failed (unreachable, timed out, not JSON) names its subgraph, so the error
   * formatter tells the client that part of the graph is unavailable, and logs the cause.
   */
  override didEncounterError(error: Error): void {
    throw new GraphQLError(`the ${this.subgraph} subgraph did not answer: ${error.message}`, {
      originalError: error,
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: this.subgraph },
    });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    if (this.sharedSecret) headers.set(SUBGRAPH_SECRET_HEADER, this.sharedSecret);
    if (!('requestId' in context)) return;
    headers.set('x-request-id', context.requestId);
    if (context.authorization) headers.set('authorization', context.authorization);
    headers.set(DEADLINE_HEADER, String(context.deadline));
    // Set, never appended: whatever the client sent was already judged under TRUST_PROXY.
    if (context.clientIp) headers.set('x-forwarded-for', context.clientIp);
  }
}

/**
 * Node's own fetch, cut off at the subgraph timeout or at the request's deadline, whichever
 * comes first, so one slow subgraph costs its fields, not the whole request or the socket.
 * (The default fetcher, make-fetch-happen over agent-base, builds an Error and reads its stack
 * on every call to guess the protocol: a quarter of the gateway's CPU in bench/mylist.bench.mjs.)
 */
function fetcherWithin(subgraphTimeoutMs: number): typeof fetch {
  return (url, init) => {
    const deadline = Number((init?.headers as Record<string, string> | undefined)?.[DEADLINE_HEADER]);
    const left = Number.isFinite(deadline) ? deadline - Date.now() : subgraphTimeoutMs;
    return fetch(url, { ...init, signal: AbortSignal.timeout(Math.max(1, Math.min(subgraphTimeoutMs, left))) });
  };
}

function healthUrl(graphqlUrl: string): string {
  return new URL('/health/ready', graphqlUrl).toString();
}

export interface GatewayDeps {
  config: GatewayConfig;
  supergraphSdl: string;
  /** A connection of its own for playback events (it enters subscriber mode). */
  events: Redis;
  /** Commands: the request budget's counters. */
  redis: Redis;
  logger: Logger;
}

export function createServer({ config, supergraphSdl, events, redis, logger }: GatewayDeps) {
  const subgraphUrls = new Map<string, string>();
  const metrics = gatewayMetrics(serviceMetrics('gateway'));
  const gateway = new SubscribingGateway(
    new ApolloGateway({
      supergraphSdl,
      logger,
      buildService: ({ name, url }) => {
        const target = config.subgraphUrls[name] ?? url;
        if (!target) throw new Error(`no URL for subgraph ${name}`);
        subgraphUrls.set(name, target);
        return new ForwardingDataSource({ url: target, fetcher: metrics.timed(name, fetcherWithin(config.SUBGRAPH_TIMEOUT_MS)) }, name, config.SUBGRAPH_SHARED_SECRET);
      },
    }),
  );
  const feed = new PlaybackFeed(events, config.REDIS_KEY_PREFIX, logger);
  let subscriptions: ReturnType<typeof serveSubscriptions> | undefined;
  metrics.watchSubscriptions(() => subscriptions?.stats());

  const app = createGraphQLApp<GatewayContext>({
    name: 'gateway',
    logger,
    production: config.production,
    apollo: { gateway, validationRules: limitRules(config.limits), parseOptions: { maxTokens: config.limits.maxTokens } },
    context: gatewayContextFactory(
      config.tokens,
      logger,
      requestBudget(new RateLimits(redis, logger), {
        perMemberPerMinute: config.GATEWAY_REQUESTS_PER_MINUTE_MEMBER,
        perAnonymousAddressPerMinute: config.GATEWAY_REQUESTS_PER_MINUTE_ANONYMOUS,
      }),
      config.REQUEST_TIMEOUT_MS,
    ),
    trustProxy: config.TRUST_PROXY,
    authErrorStatus: 401,
    drainSeconds: config.SHUTDOWN_DRAIN_SECONDS,
    plugins: [costLimitPlugin(config.limits.maxCost), rateLimitedStatusPlugin<GatewayContext>()],
    landingPage: sandboxWithSubscriptions(),
    attach: (httpServer, apollo) => {
      subscriptions = serveSubscriptions({
        httpServer,
        apollo,
        schema: () => gateway.apiSchema,
        requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
        feed,
        tokens: config.tokens,
        logger,
        limits: {
          query: config.limits,
          subscriptionsPerConnection: config.SUBSCRIPTIONS_PER_CONNECTION,
          connectionsPerMember: config.WS_CONNECTIONS_PER_MEMBER,
          bufferedEvents: config.SUBSCRIPTION_BUFFER_EVENTS,
          keepAliveMs: config.WS_KEEPALIVE_SECONDS * 1000,
        },
      });
      return subscriptions;
    },
    readiness: {
      subgraphs: async () => {
        const checks = [...subgraphUrls.values()].map(async (url) => {
          const response = await fetch(healthUrl(url));
          if (!response.ok) throw new Error(`${url} is not ready`);
        });
        await Promise.all(checks);
      },
    },
  });
  return { app, subscriptionStats: () => subscriptions?.stats() };
}
