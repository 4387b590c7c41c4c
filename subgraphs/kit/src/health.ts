import type { Express, Request, Response } from 'express';

/** The service's own dependencies (its database, its Redis), never another service. */
export type ReadinessChecks = Record<string, () => Promise<unknown>>;

type CheckResult = 'ok' | 'down';

const CHECK_TIMEOUT_MS = 2_000;
/** How long one round of checks answers every readiness call: a flood of probes costs one ping a second. */
export const READINESS_CACHE_MS = 1_000;

async function runCheck(check: () => Promise<unknown>): Promise<CheckResult> {
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
 * Runs the checks at most once per READINESS_CACHE_MS: callers in between get the last round,
 * and callers while a round runs wait for that round instead of starting another.
 */
function cachedChecks(checks: ReadinessChecks): () => Promise<Record<string, CheckResult>> {
  const names = Object.keys(checks);
  let last: { at: number; report: Record<string, CheckResult> } | undefined;
  let running: Promise<Record<string, CheckResult>> | undefined;
  return () => {
    if (last && performance.now() - last.at < READINESS_CACHE_MS) return Promise.resolve(last.report);
    running ??= Promise.all(names.map((name) => runCheck(checks[name]!)))
      .then((results) => {
        const report = Object.fromEntries(names.map((name, i) => [name, results[i]!]));
        last = { at: performance.now(), report };
        return report;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
}

/**
 * /health/live: the process answers. /health/ready: the service can serve: its own
 * dependencies answer (checked at most once a second, whatever the number of probes), and it is
 * not shutting down (it answers 503 from the moment a drain begins). Readiness never asks
 * another service: one stalled peer must not take every replica of its callers out of rotation.
 */
export function mountHealth(app: Express, checks: ReadinessChecks, draining: () => boolean = () => false): void {
  const check = cachedChecks(checks);
  app.get('/health/live', (_req: Request, res: Response) => {
    res.json({ status: 'ok' });
  });
  app.get('/health/ready', async (_req: Request, res: Response) => {
    if (draining()) {
      res.status(503).json({ status: 'draining' });
      return;
    }
    const report = await check();
    const ready = Object.values(report).every((r) => r === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', checks: report });
  });
}
