// A private Redis Cluster on loopback for the tests that run on one (REDIS_CLUSTER_NODES):
// three masters without replicas, made with redis-cli --cluster create as an operator would.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort, startRedis } from './services.mjs';

const run = promisify(execFile);
const MASTERS = 3;

/** Starts the nodes, assigns the 16384 slots and waits until every node reports the cluster ok. */
export async function startRedisCluster({ dataDir }) {
  const nodes = [];
  const stop = () => Promise.all(nodes.map((node) => node.stop()));
  try {
    for (let i = 0; i < MASTERS; i++) {
      // The cluster bus defaults to port + 10000, which a free port may not leave room for.
      const busPort = await freePort();
      const args = ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(busPort), '--cluster-node-timeout', '5000'];
      nodes.push(await startRedis({ dataDir: join(dataDir, `node-${i}`), args }));
    }
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    await untilClusterOk(nodes.map((node) => node.port));
    return { nodes: addresses.join(','), pids: nodes.map((node) => node.pid), stop };
  } catch (error) {
    await stop();
    throw new Error(`could not start a Redis Cluster (redis-server and redis-cli 7 needed): ${error.message}`);
  }
}

async function untilClusterOk(ports) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const states = await Promise.all(ports.map(async (port) => (await run('redis-cli', ['-p', String(port), 'cluster', 'info'])).stdout));
    if (states.every((info) => info.includes('cluster_state:ok'))) return;
    if (Date.now() > deadline) throw new Error(`the cluster did not become ok:\n${states.join('\n')}`);
    await sleep(100);
  }
}
