import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './logger';
import type { ServiceMetrics } from './metrics';

export interface MetricsListener {
  /** Where Prometheus scrapes: http://<host>:<port>/metrics. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * GET /metrics in Prometheus's text format on a listener of its own (METRICS_HOST, loopback by
 * default, and METRICS_PORT), as Apollo Router serves its metrics on :9090: never on the public
 * port, so clients can neither read the service's operation names nor spend its CPU on scrapes.
 * It holds no secret (names of operations, caches, streams and subgraphs, and numbers).
 */
export async function serveMetrics(metrics: ServiceMetrics, host: string, port: number, logger: Logger): Promise<MetricsListener> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Metrics are at GET /metrics.\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(req.method === 'HEAD' ? undefined : text),
      (err: unknown) => {
        logger.error({ err }, 'could not collect metrics');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${address.port}/metrics`;
  logger.info({ url }, `${metrics.service} metrics listening`);
  return {
    url,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
