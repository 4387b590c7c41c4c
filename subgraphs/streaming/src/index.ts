import './tracing';
import 'reflect-metadata';
import { createLogger, ensureIndexes, openMongo, openRedis, redisConnection, runService, startService, watchTokenStamps, type Service } from '@ott/kit';
import { streamingConfig } from './config';
import { contentDeletedConsumer } from './content/content-deleted.consumer';
import { entitlementsConsumer } from './entitlements/entitlements.consumer';
import { createServer } from './server';
import { PlaybackSweeper } from './session/session.sweeper';

/** config → connections → serve; the only place that connects and listens. */
export async function start(env: NodeJS.ProcessEnv): Promise<Service> {
  const config = streamingConfig(env);
  const logger = createLogger('streaming', config.LOG_LEVEL);
  return startService(async (resources) => {
    // Every token verified here is checked against its member's "valid after" stamp.
    await watchTokenStamps(resources, config, logger);
    const mongo = await openMongo(resources, config, logger);
    const redis = await openRedis(resources, 'streaming', { ...redisConnection(config), keyPrefix: `${config.REDIS_KEY_PREFIX}streaming:` }, logger);
    const events = await openRedis(resources, 'streaming-events', { ...redisConnection(config), keyPrefix: '' }, logger);
    // Subscriber mode: the Subscription fields' playback events (sharded channels on a cluster).
    const subscriptions = await openRedis(resources, 'streaming-playback-feed', { ...redisConnection(config), keyPrefix: '', shardedPubSub: true }, logger);
    // Connections of their own, without a key prefix: reading a stream blocks its connection.
    const removals = await openRedis(resources, 'streaming-content-events', { ...redisConnection(config), keyPrefix: '' }, logger);
    const memberships = await openRedis(resources, 'streaming-entitlement-events', { ...redisConnection(config), keyPrefix: '' }, logger);
    const { app, models, playback, plays, titles, entitlements, signer } = await createServer({ config, mongo, redis, events, subscriptions, logger });
    await ensureIndexes(Object.values(models));
    const server = await app.listen(config.HOST, config.PORT);
    signer.useOwnAddress(server.url);
    resources
      .add(contentDeletedConsumer(removals, config.contentDeletedStream, config.streamConsumer, { titles, plays, playback }, logger), (c) => c.stop())
      .start();
    resources.add(entitlementsConsumer(memberships, config.entitlementsEventsStream, config.streamConsumer, entitlements, logger), (c) => c.stop()).start();
    resources.add(new PlaybackSweeper(playback, config.PLAYBACK_SWEEP_INTERVAL_SECONDS * 1000, logger), (s) => s.stop()).start();
    return server;
  });
}

if (require.main === module) runService('streaming', start);
