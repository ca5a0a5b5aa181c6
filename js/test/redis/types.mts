// Type test (tsc --noEmit in .ci/test.d/25-redis.sh): the real clients' own types are accepted
// where RedisStorage and TieredStorage take a client or a subscriber — node-redis (client and
// createCluster) and ioredis (Redis and Cluster) — and a function client may take the routing key.
import { createClient, createCluster } from "redis";
import { Redis, Cluster } from "ioredis";
import { TTLMapAsyncStorage } from "cashier-wasm";
import { RedisStorage, TieredStorage, type TieredStats } from "cashier-wasm/redis";

const node = createClient();
const nodeCluster = createCluster({ rootNodes: [{ url: "redis://127.0.0.1:7000" }] });
const io = new Redis();
const ioCluster = new Cluster([{ host: "127.0.0.1", port: 7000 }]);

const storages: RedisStorage[] = [
  new RedisStorage({ client: node }),
  new RedisStorage({ client: nodeCluster, prefix: "p:" }),
  new RedisStorage({ client: io }),
  new RedisStorage({ client: ioCluster, prefix: "p:", cluster: true }),
  new RedisStorage({ client: async (args: string[], key?: string) => [args.length, key], cluster: true, prefix: "f:" }),
];
const l1 = new TTLMapAsyncStorage({ ttl: 1000 });
const tiered = [
  new TieredStorage(l1, storages[0]!, { subscriber: node.duplicate() }),
  new TieredStorage(l1, storages[1]!, { subscriber: nodeCluster.duplicate() }),
  new TieredStorage(l1, storages[2]!, { subscriber: io.duplicate() }),
  new TieredStorage(l1, storages[3]!, { subscriber: ioCluster.duplicate() }),
];
const subscribed: Promise<boolean> = tiered[0]!.subscribed;
const stats: TieredStats = tiered[0]!.stats();
const invalidations: number = stats.invalidations;
const base: string = storages[1]!.base;
const channel: string = storages[1]!.channel;
void [subscribed, invalidations, base, channel];
