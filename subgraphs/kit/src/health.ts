import type { Express, Request, Response } from 'express';

export type ReadinessChecks = Record<string, () => Promise<unknown>>;

const CHECK_TIMEOUT_MS = 2_000;

async function runCheck(check: () => Promise<unknown>): Promise<'ok' | 'down'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return 'ok';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

/**
 * /health/live: the process answers. /health/ready: every dependency answers too, and the
 * service is not shutting down (it answers 503 from the moment a drain begins).
 */
export function mountHealth(app: Express, checks: ReadinessChecks, draining: () => boolean = () => false): void {
  app.get('/health/live', (_req: Request, res: Response) => {
    res.json({ status: 'ok' });
  });
  app.get('/health/ready', async (_req: Request, res: Response) => {
    if (draining()) {
      res.status(503).json({ status: 'draining' });
      return;
    }
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((name) => runCheck(checks[name]!)));
    const report = Object.fromEntries(names.map((name, i) => [name, results[i]]));
    const ready = results.every((r) => r === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', checks: report });
  });
}
