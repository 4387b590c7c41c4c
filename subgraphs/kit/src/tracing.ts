import { createRequire } from 'node:module';
import type { TracingSdk } from './tracing-sdk';

/** The span attribute that carries a request's `x-request-id`, on every span of the request. */
export const REQUEST_ID_ATTRIBUTE = 'ott.request_id';

let started: TracingSdk | undefined;

/** Whether this process traces: startTracing found an OTLP endpoint (or a test started the SDK). */
export const tracingEnabled = (): boolean => started !== undefined;

/** Called by the SDK module once it has registered: the process traces from now on. */
export function tracingStarted(sdk: TracingSdk | undefined): void {
  started = sdk;
}

/**
 * Starts OpenTelemetry tracing when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, and does nothing otherwise: the SDK and the
 * instrumentations are not even loaded, so a process without an endpoint pays nothing.
 *
 * Instrumentations patch modules as they are loaded, so this must run before anything loads
 * node:http, the MongoDB driver or ioredis: each service's `src/tracing.ts` calls it and is the
 * first import of its `src/index.ts`. It loads the SDK synchronously for that reason (the
 * services run as CommonJS, under @swc-node/register or compiled).
 */
export function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): TracingSdk | undefined {
  if (started) return started;
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return undefined;
  const { startTracingSdk } = createRequire(__filename)('./tracing-sdk') as typeof import('./tracing-sdk');
  return startTracingSdk(service);
}

/** Flushes the spans not yet exported and stops tracing; nothing when it is off. */
export async function stopTracing(): Promise<void> {
  await started?.shutdown();
}
