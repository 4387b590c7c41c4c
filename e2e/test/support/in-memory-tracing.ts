import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { startTracingSdk } from '@ott/kit/tracing-sdk';

/**
 * Tracing for a test whose whole stack runs in its own process (support/stack.ts): the SDK
 * set-up every service runs (kit's tracing-sdk.ts) with an in-memory exporter in place of OTLP,
 * so one provider sees the spans of every hop. Import it before anything else, as each service's
 * src/tracing.ts is imported first: instrumentations hook modules as they load.
 */
export const exporter = new InMemorySpanExporter();
export const sdk = startTracingSdk('ott-test', exporter);

// The services run as CommonJS and `require` their client libraries, which is where the
// instrumentations hook in; Vitest would load ioredis as an ES module, past that hook. So it is
// required here first, from the kit that uses it, as a service's own start loads it (mongoose
// requires the MongoDB driver itself, node:http is patched wherever it is loaded from).
createRequire(resolve(__dirname, '../../../subgraphs/kit/src/redis.ts'))('ioredis');
