import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from './logger';

/** Operation names beyond this many distinct ones are counted as `other`: the name is the client's choice. */
export const MAX_OPERATION_NAMES = 200;
/** Longer names are counted as `other` too (GraphQL names are plain identifiers; none of ours is near this). */
export const MAX_OPERATION_NAME_LENGTH = 64;

/** Latency buckets in seconds, from a cached read to a request at the gateway's deadline. */
const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface OperationSeries {
  ok: Counter.Internal;
  error: Counter.Internal;
  duration: Histogram.Internal<'operation'>;
}

export interface CacheSeries {
  hit: Counter.Internal;
  miss: Counter.Internal;
  failure: Counter.Internal;
}

/** What a stream consumer last saw of its group (sampled in its own loop, read at scrape time). */
export interface StreamLag {
  stream: string;
  group: string;
  /** Delivered to a consumer of the group, not yet acknowledged. */
  pending: number;
  /** In the stream, not yet delivered to the group (Redis 7's XINFO GROUPS `lag`; -1 when Redis cannot tell). */
  undelivered: number;
  /** From the group's last delivered entry to the stream's newest, by their ids' timestamps. */
  behindSeconds: number;
}

export interface StreamLagSource {
  lag(): StreamLag | undefined;
}

/**
 * One service's Prometheus registry: the process's default metrics, its GraphQL requests by
 * operation, its caches and its stream consumers. Every series name is documented in
 * docs/architecture.md ("Observability"). The hot path (a request, a cache read) only increments
 * series bound once, when an operation name or a cache is first seen.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'operation' | 'outcome'>;
  private readonly durations: Histogram<'operation'>;
  private readonly operations = new Map<string, OperationSeries>();
  private readonly other: OperationSeries;
  private readonly caches: Counter<'cache' | 'result'>;
  private readonly cacheFailures: Counter<'cache'>;
  private readonly streams = new Set<StreamLagSource>();

  constructor(readonly service: string) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'graphql_requests_total',
      help: 'GraphQL operations answered, by operation name (at most MAX_OPERATION_NAMES, the rest as "other") and outcome (ok, error: the answer carried errors)',
      labelNames: ['operation', 'outcome'],
      registers,
    });
    this.durations = new Histogram({
      name: 'graphql_request_duration_seconds',
      help: 'Time from a GraphQL operation received to its answer sent, by operation name',
      labelNames: ['operation'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.caches = new Counter({
      name: 'cache_lookups_total',
      help: 'Cache reads by cache and result (hit, miss); hit ratio = hit / (hit + miss)',
      labelNames: ['cache', 'result'],
      registers,
    });
    this.cacheFailures = new Counter({
      name: 'cache_failures_total',
      help: 'Cache commands that failed (Redis unreachable): answered from the database',
      labelNames: ['cache'],
      registers,
    });
    const streams = this.streams;
    const lagGauge = (name: string, help: string, value: (lag: StreamLag) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['stream', 'group'],
        registers,
        collect: function (this: Gauge<'stream' | 'group'>) {
          this.reset();
          for (const source of streams) {
            const lag = source.lag();
            if (lag) this.set({ stream: lag.stream, group: lag.group }, value(lag));
          }
        },
      });
    lagGauge('stream_consumer_pending_entries', 'Entries delivered to the group and not yet acknowledged', (lag) => lag.pending);
    lagGauge('stream_consumer_undelivered_entries', 'Entries in the stream not yet delivered to the group (-1: Redis cannot tell)', (lag) => lag.undelivered);
    lagGauge('stream_consumer_behind_seconds', "Seconds between the group's last delivered entry and the stream's newest", (lag) => lag.behindSeconds);
    this.other = this.bind('other');
  }

  /** Counts one answered operation; called once per request, so it only looks up and increments. */
  observeRequest(operationName: string | null | undefined, seconds: number, failed: boolean): void {
    const series = this.operations.get(operationName ?? '') ?? this.seriesFor(operationName ?? '');
    (failed ? series.error : series.ok).inc();
    series.duration.observe(seconds);
  }

  /** Hit, miss and failure counters of one cache, bound once by its owner and shown from 0. */
  cache(name: string): CacheSeries {
    const series = { hit: this.caches.labels(name, 'hit'), miss: this.caches.labels(name, 'miss'), failure: this.cacheFailures.labels(name) };
    for (const counter of Object.values(series)) counter.inc(0);
    return series;
  }

  /** A stream consumer reports its lag while it runs; the returned function stops reporting it. */
  watchStream(source: StreamLagSource): () => void {
    this.streams.add(source);
    return () => this.streams.delete(source);
  }

  private seriesFor(name: string): OperationSeries {
    if (name.length > MAX_OPERATION_NAME_LENGTH || this.operations.size >= MAX_OPERATION_NAMES) return this.other;
    const series = this.bind(name === '' ? 'anonymous' : name);
    this.operations.set(name, series);
    return series;
  }

  private bind(label: string): OperationSeries {
    return { ok: this.requests.labels(label, 'ok'), error: this.requests.labels(label, 'error'), duration: this.durations.labels(label) };
  }
}

const byService = new Map<string, ServiceMetrics>();

/** The metrics of one service, one registry per service name (tests run several services in one process). */
export function serviceMetrics(service: string): ServiceMetrics {
  let metrics = byService.get(service);
  if (!metrics) {
    metrics = new ServiceMetrics(service);
    byService.set(service, metrics);
  }
  return metrics;
}

/**
 * The metrics of the service a component logs for. Every cache and consumer is handed its
 * service's logger (createLogger binds `service`), so it finds its registry without another
 * parameter threaded through every constructor.
 */
export function metricsOf(logger: Logger): ServiceMetrics {
  const { service } = logger.bindings() as { service?: string };
  return serviceMetrics(service ?? 'unknown');
}
