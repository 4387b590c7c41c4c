import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startInfrastructure } from '../../../../tools/stack/services.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUrl: string;
    redisUrl: string;
    testDataDir: string;
  }
}

/**
 * One embedded database and one Redis for the whole run (or MONGODB_URL / REDIS_URL);
 * test files isolate themselves by database name and key prefix.
 */
export default async function setup(project: TestProject) {
  const dataDir = await mkdtemp(join(tmpdir(), 'ott-test-'));
  const infra = await startInfrastructure({ dataDir });
  project.provide('mongoUrl', infra.mongoUrl);
  project.provide('redisUrl', infra.redisUrl);
  project.provide('testDataDir', dataDir);
  return async () => {
    await infra.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
