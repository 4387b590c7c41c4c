import { Counter, Gauge, Histogram } from 'prom-client';
import type { ServiceMetrics } from '@ott/kit';

/** Subgraph calls, from a cached read to one cut at SUBGRAPH_TIMEOUT_MS (5 s by default). */
const FETCH_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type SubgraphCallOutcome = 'ok' | 'http_error' | 'timeout' | 'error';
export type SubgraphCallTiming = (outcome: SubgraphCallOutcome, seconds: number) => void;

type SubscriptionStats = { connections: number; subscriptions: number; executions: number };

/** The gateway's own series beside the kit's (requests, process): subgraph calls and subscriptions. */
export class GatewayMetrics {
  private readonly fetches: Histogram<'subgraph' | 'outcome'>;
  private readonly subscriptionSources = new Set<() => SubscriptionStats | undefined>();
  private readonly pushes: Counter<'protocol'>;

  constructor(metrics: ServiceMetrics) {
    const registers = [metrics.registry];
    this.fetches = new Histogram({
      name: 'gateway_subgraph_fetch_duration_seconds',
      help: 'Calls from the gateway to a subgraph, until its response headers, by subgraph and outcome (ok, http_error: a non-2xx status, timeout, error: unreachable)',
      labelNames: ['subgraph', 'outcome'],
      buckets: FETCH_BUCKETS,
      registers,
    });
    this.subscriptionGauges(registers);
    this.pushes = new Counter({
      name: 'gateway_subscription_pushes_total',
      help: 'Results sent to subscribers, by protocol (graphql-ws, multipart, sse); the runs behind them are not counted in graphql_requests_total',
      labelNames: ['protocol'],
      registers,
    });
    for (const protocol of ['graphql-ws', 'multipart', 'sse']) this.pushes.labels(protocol).inc(0);
  }

  /** One result sent to one subscriber. */
  readonly pushed = (protocol: string): void => {
    this.pushes.labels(protocol).inc();
  };

  /** Where the subscription gauges read from at scrape time; nothing is counted per event. */
  watchSubscriptions(stats: () => SubscriptionStats | undefined): void {
    this.subscriptionSources.add(stats);
  }

  /**
   * What the transport's timing hook reports of each call it makes to one subgraph (a call shared by
   * identical queries in flight counts once). The series are bound once per subgraph, so a
   * call costs one histogram observation.
   */
  subgraphCalls(subgraph: string): SubgraphCallTiming {
    const series = Object.fromEntries(
      (['ok', 'http_error', 'timeout', 'error'] as const).map((outcome) => [outcome, this.fetches.labels(subgraph, outcome)]),
    ) as Record<SubgraphCallOutcome, Histogram.Internal<'subgraph' | 'outcome'>>;
    return (outcome, seconds) => series[outcome].observe(seconds);
  }

  private subscriptionGauges(registers: ServiceMetrics['registry'][]): void {
    const sources = this.subscriptionSources;
    const gauge = (name: string, help: string, read: (stats: SubscriptionStats) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect: function (this: Gauge) {
          let total = 0;
          for (const stats of sources) {
            const current = stats();
            if (current) total += read(current);
          }
          this.set(total);
        },
      });
    gauge(
      'gateway_subscription_connections',
      'Open subscription connections on this gateway instance: graphql-ws sockets and HTTP streams (multipart, SSE)',
      (s) => s.connections,
    );
    gauge('gateway_subscriptions_active', 'Subscriptions running on this gateway instance', (s) => s.subscriptions);
    gauge(
      'gateway_subscription_executions',
      'Executions the active subscriptions share (subscribers with the same member, selection and variables share one)',
      (s) => s.executions,
    );
  }
}

const byRegistry = new WeakMap<ServiceMetrics, GatewayMetrics>();

/** One set of gateway series per registry: tests start several gateways in one process. */
export function gatewayMetrics(metrics: ServiceMetrics): GatewayMetrics {
  let found = byRegistry.get(metrics);
  if (!found) {
    found = new GatewayMetrics(metrics);
    byRegistry.set(metrics, found);
  }
  return found;
}
