import { ConfigError } from './config';

/** A started service: where it listens and how to stop it with everything it opened. */
export interface Service {
  url: string;
  port: number;
  close(): Promise<void>;
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
        const timer = setTimeout(() => process.exit(1), 10_000);
        timer.unref();
        service.close().then(
          () => process.exit(0),
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
