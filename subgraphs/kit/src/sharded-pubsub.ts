import { isCluster, type RedisClient } from './redis';

/**
 * Pub/sub for channels that few listen to, each: a playback session's, a member's. On a
 * cluster they are sharded channels (SPUBLISH / SSUBSCRIBE, Redis 7): each lives on the shard
 * its name hashes to, so a message goes to that shard's subscribers only, where a classic
 * PUBLISH is relayed to every node over the cluster bus. One Redis keeps classic pub/sub
 * (nothing changes for it, Redis 6 included).
 *
 * Channels everyone listens to (public changes, token stamps) stay classic on a cluster too:
 * every process must hear them, which is what the broadcast does.
 *
 * Clients here take no key prefix: a cluster's SPUBLISH names its channel where keys go, so
 * ioredis would prefix it.
 */
export function publishSharded(redis: RedisClient, channel: string, message: string): Promise<unknown> {
  return isCluster(redis) ? redis.spublish(channel, message) : redis.publish(channel, message);
}

/** Subscribes a subscriber client (a cluster client opened with `shardedPubSub`). */
export function subscribeSharded(redis: RedisClient, channel: string): Promise<unknown> {
  return isCluster(redis) ? redis.ssubscribe(channel) : redis.subscribe(channel);
}

export function unsubscribeSharded(redis: RedisClient, channel: string): Promise<unknown> {
  return isCluster(redis) ? redis.sunsubscribe(channel) : redis.unsubscribe(channel);
}

/** Calls `listener` with each message of the channels `redis` subscribed with subscribeSharded. */
export function onShardedMessage(redis: RedisClient, listener: (channel: string, message: string) => void): void {
  redis.on(isCluster(redis) ? 'smessage' : 'message', listener);
}
