import './tracing';
import 'reflect-metadata';
import { readFile } from 'node:fs/promises';
import { createLogger, openRedis, redisConnection, runService, startService, watchTokenStamps, type LogDestination, type Service } from '@ott/kit';
import { gatewayConfig } from './config';
import { createServer } from './server';

export interface GatewayService extends Service {
  /** Open subscription connections and subscriptions on this instance, and the executions they share. */
  subscriptionStats(): { connections: number; subscriptions: number; executions: number } | undefined;
}

/**
 * config → supergraph → serve. `supergraphSdl` lets tests compose one for their own ports, and
 * `logDestination` read the logs.
 */
export async function start(env: NodeJS.ProcessEnv, supergraphSdl?: string, logDestination?: LogDestination): Promise<GatewayService> {
  const config = gatewayConfig(env);
  const logger = createLogger('gateway', config.LOG_LEVEL, logDestination);
  const sdl = supergraphSdl ?? (await readFile(config.SUPERGRAPH_PATH, 'utf8'));
  return startService(async (resources) => {
    // Every token verified here is checked against its member's "valid after" stamp.
    await watchTokenStamps(resources, config, logger);
    // Without a key prefix: channel names carry the deployment's prefix themselves. Playback
    // channels are sharded on a cluster (kit/sharded-pubsub.ts).
    const events = await openRedis(resources, 'gateway-playback-events', { ...redisConnection(config), keyPrefix: '', shardedPubSub: true }, logger);
    const redis = await openRedis(resources, 'gateway', { ...redisConnection(config), keyPrefix: `${config.REDIS_KEY_PREFIX}gateway:` }, logger);
    const { app, subscriptionStats } = createServer({ config, supergraphSdl: sdl, events, redis, logger });
    return { ...(await app.listen(config.HOST, config.PORT)), subscriptionStats };
  });
}

if (require.main === module) runService('gateway', start);
