import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startRedisCluster } from '../../../../tools/stack/redis-cluster.mjs';
import { startInfrastructure } from '../../../../tools/stack/services.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUrl: string;
    redisUrl: string;
    /** REDIS_CLUSTER_NODES of the run's Redis Cluster; empty: none (the cluster tests are skipped). */
    redisClusterNodes: string;
    testDataDir: string;
  }
}

/**
 * One embedded database, one Redis and one Redis Cluster for the whole run (or MONGODB_URL /
 * REDIS_URL / REDIS_CLUSTER_NODES);
 * test files isolate themselves by database name and key prefix.
 */
export default async function setup(project: TestProject) {
  const dataDir = await mkdtemp(join(tmpdir(), 'ott-test-'));
  const infra = await startInfrastructure({ dataDir });
  // A private cluster (3 masters, ~2 s to start) for the *.cluster.test.ts files, unless one is
  // given; none when Redis itself is given (REDIS_URL) and no cluster is: no local redis-server then.
  const cluster =
    process.env.REDIS_CLUSTER_NODES || process.env.REDIS_URL
      ? undefined
      : await startRedisCluster({ dataDir: join(dataDir, 'redis-cluster') }).catch(async (error: unknown) => {
          await infra.stop();
          throw error;
        });
  project.provide('mongoUrl', infra.mongoUrl);
  project.provide('redisUrl', infra.redisUrl);
  project.provide('redisClusterNodes', process.env.REDIS_CLUSTER_NODES ?? cluster?.nodes ?? '');
  project.provide('testDataDir', dataDir);
  return async () => {
    await Promise.all([infra.stop(), cluster?.stop()]);
    await rm(dataDir, { recursive: true, force: true });
  };
}
