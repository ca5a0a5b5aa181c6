// The two Redis clients RedisStorage supports, connected the way an application would.
import { createClient, createCluster } from "redis";
import { Redis, Cluster } from "ioredis";

/** A connected node-redis client that reconnects quickly; errors are events, not crashes. */
export async function nodeRedis(url) {
  const client = createClient({ url, socket: { reconnectStrategy: (attempt) => Math.min(attempt * 20, 200) } });
  client.on("error", () => {});
  await client.connect();
  return client;
}

/** An ioredis client (connects in the background, queues commands while offline). */
export function ioRedis(url) {
  const client = new Redis(url, { retryStrategy: (attempt) => Math.min(attempt * 20, 200), maxRetriesPerRequest: 1 });
  client.on("error", () => {});
  return client;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A connected node-redis cluster client (`createCluster`) over the cluster's nodes (ports on 127.0.0.1). */
export async function nodeRedisCluster(ports) {
  const cluster = createCluster({
    rootNodes: ports.map((port) => ({ url: `redis://127.0.0.1:${port}` })),
    defaults: { socket: { reconnectStrategy: (attempt) => Math.min(attempt * 20, 200), connectTimeout: 500 } },
  });
  cluster.on("error", () => {});
  await cluster.connect();
  return cluster;
}

/** An ioredis `Cluster` over the cluster's nodes (ports on 127.0.0.1); resolves once it is ready. */
export async function ioRedisCluster(ports) {
  const cluster = new Cluster(
    ports.map((port) => ({ host: "127.0.0.1", port })),
    { clusterRetryStrategy: () => 100, redisOptions: { maxRetriesPerRequest: 1, retryStrategy: (attempt) => Math.min(attempt * 20, 200) } },
  );
  cluster.on("error", () => {});
  await new Promise((resolve, reject) => {
    cluster.once("ready", resolve);
    cluster.once("end", () => reject(new Error("ioredis Cluster ended before it was ready")));
  });
  return cluster;
}
