import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Redis } from 'ioredis';
import { createGraphQLApp, RateLimits, type Logger } from '@ott/kit';
import type { GatewayConfig } from './config';
import { gatewayContextFactory, type GatewayContext } from './context';
import { depthLimitPlugin } from './limits';
import { rateLimitedStatusPlugin, requestBudget } from './request-budget';
import { sandboxWithSubscriptions } from './subscriptions/landing-page';
import { PlaybackFeed } from './subscriptions/playback-feed';
import { SubscribingGateway } from './subscriptions/subscribing-gateway';
import { serveSubscriptions } from './subscriptions/subscription-server';

/** Passes the caller's credentials, address and request id on to every subgraph call. */
class ForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers || !('requestId' in context)) return;
    headers.set('x-request-id', context.requestId);
    if (context.authorization) headers.set('authorization', context.authorization);
    // Set, never appended: whatever the client sent was already judged under TRUST_PROXY.
    if (context.clientIp) headers.set('x-forwarded-for', context.clientIp);
  }
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
  const gateway = new SubscribingGateway(
    new ApolloGateway({
      supergraphSdl,
      logger,
      buildService: ({ name, url }) => {
        const target = config.subgraphUrls[name] ?? url;
        if (!target) throw new Error(`no URL for subgraph ${name}`);
        subgraphUrls.set(name, target);
        // Node's own fetch: the default (make-fetch-happen over agent-base) builds an Error and
        // reads its stack on every subgraph call to guess the protocol, which under source maps
        // was a quarter of the gateway's CPU in bench/mylist.bench.mjs.
        return new ForwardingDataSource({ url: target, fetcher: fetch });
      },
    }),
  );
  const feed = new PlaybackFeed(events, config.REDIS_KEY_PREFIX, logger);
  let subscriptions: ReturnType<typeof serveSubscriptions> | undefined;

  const app = createGraphQLApp<GatewayContext>({
    name: 'gateway',
    logger,
    production: config.production,
    apollo: { gateway },
    context: gatewayContextFactory(
      config.tokens,
      logger,
      requestBudget(new RateLimits(redis, logger), {
        perMemberPerMinute: config.GATEWAY_REQUESTS_PER_MINUTE_MEMBER,
        perAnonymousAddressPerMinute: config.GATEWAY_REQUESTS_PER_MINUTE_ANONYMOUS,
      }),
    ),
    trustProxy: config.TRUST_PROXY,
    plugins: [depthLimitPlugin(config.MAX_QUERY_DEPTH), rateLimitedStatusPlugin<GatewayContext>()],
    landingPage: sandboxWithSubscriptions(),
    attach: (httpServer, apollo) => {
      subscriptions = serveSubscriptions({
        httpServer,
        apollo,
        schema: () => gateway.apiSchema,
        feed,
        tokens: config.tokens,
        logger,
        limits: {
          maxDepth: config.MAX_QUERY_DEPTH,
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
