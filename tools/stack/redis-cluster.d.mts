/** `nodes`: REDIS_CLUSTER_NODES for the cluster (host:port,…). */
export function startRedisCluster(options: { dataDir: string }): Promise<{ nodes: string; pids: number[]; stop(): Promise<unknown> }>;
