// The first import of index.ts: instrumentations must be in place before node:http or ioredis
// load. Off (nothing loaded) without OTEL_EXPORTER_OTLP_ENDPOINT.
import { startTracing } from '@ott/kit/tracing';

startTracing('gateway');
