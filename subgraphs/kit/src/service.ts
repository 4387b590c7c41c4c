import { ConfigError } from './config';
import type { RunningServer } from './http';
import { stopTracing } from './tracing';

/** A started service: where it listens and how to stop it with everything it opened. */
export interface Service {
  url: string;
  port: number;
  /** Where Prometheus scrapes it: a listener of its own, never the public port. */
  metricsUrl: string;
  close(): Promise<void>;
}

/** What a service opened (connections, consumers), closed in reverse order of opening. */
export class Resources {
  private readonly closers: (() => unknown)[] = [];

  add<T>(resource: T, close: (resource: T) => unknown): T {
    this.closers.push(() => close(resource));
    return resource;
  }

  async close(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) await close();
  }
}

/**
 * Runs a service's start-up. Whatever it registers in `resources` is closed after the server
 * stops, or at once if a later start-up step fails, so a failed start leaks no connection.
 */
export async function startService<S extends RunningServer>(startUp: (resources: Resources) => Promise<S>): Promise<S> {
  const resources = new Resources();
  try {
    const server = await startUp(resources);
    return {
      ...server,
      close: async () => {
        await server.close();
        await resources.close();
      },
    };
  } catch (error) {
    await resources.close();
    throw error;
  }
}

/**
 * The body of every `index.ts`: start from the environment, stop cleanly on SIGTERM/SIGINT,
 * and exit with a message naming the setting when configuration is invalid.
 */
export function runService(name: string, start: (env: NodeJS.ProcessEnv) => Promise<Service>): void {
  start(process.env).then(
    (service) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        // Past the drain (up to SHUTDOWN_DRAIN_SECONDS) and the in-flight requests, give up.
        const timer = setTimeout(() => process.exit(1), 30_000);
        timer.unref();
        service.close().then(
          // The spans of the last requests are exported before the process ends.
          () => stopTracing().finally(() => process.exit(0)),
          (err: unknown) => {
            process.stderr.write(`${name}: error while stopping on ${signal}: ${String(err)}\n`);
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    },
    (err: unknown) => {
      const message = err instanceof ConfigError ? err.message : `failed to start: ${err instanceof Error ? err.stack : String(err)}`;
      process.stderr.write(`${JSON.stringify({ level: 'fatal', service: name, msg: message })}\n`);
      process.exit(1);
    },
  );
}
