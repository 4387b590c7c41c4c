import type { IncomingMessage } from 'node:http';
import { trace, type Context } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type ReadableSpan, type Span, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { REQUEST_ID_ATTRIBUTE, tracingStarted } from './tracing';

/**
 * Loaded only when tracing is on (tracing.ts requires it): the SDK, the exporter and every
 * instrumentation, so a process without OTEL_EXPORTER_OTLP_ENDPOINT never loads them.
 */

/** Paths whose requests are not traced: probes and scrapes, many a minute, nothing to learn. */
const UNTRACED_PATHS = /^\/(health|metrics)(\/|\?|$)/;

/**
 * Query parameters never written to a span: a GraphQL GET carries its document and variables
 * there, and streaming's manifest URLs their signature.
 */
const REDACTED_QUERY_PARAMS = ['query', 'variables', 'extensions', 'signature', 'sig', 'token'];

/**
 * Gives every span the request id of the span it starts under, so each span of a request (the
 * MongoDB and Redis commands, the calls to other subgraphs) can be found by it, not only the
 * HTTP server span that `createGraphQLApp` marks.
 */
class RequestIdProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    const parent = trace.getSpan(parentContext) as Partial<ReadableSpan> | undefined;
    const requestId = parent?.attributes?.[REQUEST_ID_ATTRIBUTE];
    if (requestId !== undefined) span.setAttribute(REQUEST_ID_ATTRIBUTE, requestId);
  }
  onEnd(): void {}
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

export interface TracingSdk {
  provider: NodeTracerProvider;
  shutdown(): Promise<void>;
}

/**
 * Registers the tracer provider (W3C trace context propagation, AsyncLocalStorage context) and
 * the instrumentations: incoming HTTP, fetch (the gateway's subgraph calls and `callSubgraph`,
 * which inject `traceparent`), the MongoDB driver and ioredis. Spans go to OTLP over
 * HTTP/protobuf (`OTEL_EXPORTER_OTLP_*` configure it), or to the exporter given (tests).
 */
export function startTracingSdk(service: string, exporter: SpanExporter = new OTLPTraceExporter()): TracingSdk {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: process.env.OTEL_SERVICE_NAME ?? service }),
    spanProcessors: [new RequestIdProcessor(), new BatchSpanProcessor(exporter)],
  });
  provider.register();
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request: IncomingMessage) => UNTRACED_PATHS.test(request.url ?? ''),
        // Outgoing node:http calls are the gateway's to subgraphs (gateway/src/transport/post.ts);
        // Node's fetch (internal calls between subgraphs) does not use node:http: those are undici's.
        redactedQueryParamsServer: REDACTED_QUERY_PARAMS,
      }),
      new UndiciInstrumentation(),
      // Commands are recorded with their values replaced by "?" (no enhanced reporting).
      new MongoDBInstrumentation(),
      // Only the command and its key are recorded, never the values written.
      new IORedisInstrumentation(),
    ],
  });
  const sdk: TracingSdk = {
    provider,
    shutdown: async () => {
      tracingStarted(undefined);
      unregister();
      await provider.shutdown();
    },
  };
  tracingStarted(sdk);
  return sdk;
}
