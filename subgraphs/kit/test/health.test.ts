import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, metricsListener, serviceMetrics } from '../src';
import { mountHealth, type ReadinessChecks } from '../src/health';
import { serveMetrics } from '../src/metrics-listener';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serveHealth(checks: ReadinessChecks, onRequest: () => void = () => undefined): Promise<string> {
  const app = express();
  app.use((_req, _res, next) => {
    onRequest();
    next();
  });
  mountHealth(app, checks);
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/health/ready`;
}

describe('/health/ready', () => {
  it('runs its checks once for a flood of probes arriving while they run', async () => {
    let pings = 0;
    let arrived = 0;
    let release!: () => void;
    const redisAnswers = new Promise<void>((resolve) => (release = resolve));
    const url = await serveHealth(
      {
        redis: async () => {
          pings += 1;
          await redisAnswers;
        },
      },
      () => {
        arrived += 1;
        if (arrived === 50) release();
      },
    );
    const answers = await Promise.all(Array.from({ length: 50 }, () => fetch(url)));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    expect(pings).toBe(1);
  });

  it('answers 503 naming the dependency that does not answer', async () => {
    const url = await serveHealth({ mongodb: async () => undefined, redis: () => Promise.reject(new Error('connection refused')) });
    const answer = await fetch(url);
    expect(answer.status).toBe(503);
    expect(await answer.json()).toEqual({ status: 'unavailable', checks: { mongodb: 'ok', redis: 'down' } });
  });
});

describe('the metrics listener', () => {
  it('listens on loopback at PORT + 5090 unless told otherwise, and on a free port beside port 0', () => {
    expect(metricsListener({ PORT: 4000, METRICS_HOST: '127.0.0.1' })).toEqual({ host: '127.0.0.1', port: 9090 });
    expect(metricsListener({ PORT: 4006, METRICS_HOST: '127.0.0.1' })).toEqual({ host: '127.0.0.1', port: 9096 });
    expect(metricsListener({ PORT: 0, METRICS_HOST: '127.0.0.1' })).toEqual({ host: '127.0.0.1', port: 0 });
    expect(metricsListener({ PORT: 4000, METRICS_HOST: '0.0.0.0', METRICS_PORT: 9464 })).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(() => metricsListener({ PORT: 65_000, METRICS_HOST: '127.0.0.1' })).toThrow(/METRICS_PORT/);
  });

  it('serves GET /metrics in the Prometheus text format, and nothing else', async () => {
    const listener = await serveMetrics(serviceMetrics('health-test'), '127.0.0.1', 0, createLogger('health-test', 'silent'));
    try {
      const scrape = await fetch(listener.url);
      expect(scrape.status).toBe(200);
      expect(scrape.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(await scrape.text()).toContain('process_cpu_user_seconds_total');
      expect((await fetch(new URL('/graphql', listener.url))).status).toBe(404);
    } finally {
      await listener.close();
    }
  });
});
