// Type test (`tsc --noEmit` in .ci/test.d/20-js.sh): the published declarations give local
// caches a synchronous `.cache` and shared storages (Redis) an async one. A wrong declaration
// fails to compile here.
import { memoize, TTLMapAsyncStorage, TTLMapStorage, type CacheStats } from "cashier-wasm";
import { RedisStorage, TieredStorage, type SharedStats } from "cashier-wasm/redis";

const local = memoize((x: number, y: string) => `${x}${y}`, { storage: new TTLMapStorage() });
const removed: boolean = local.cache.delete(1, "a");
const cleared: void = local.cache.clear();
const counters: CacheStats = local.cache.stats();
const value: string = local(1, "a");

const redis = new RedisStorage({ client: async (args: string[]) => args.length });
const shared = memoize(async (id: number) => ({ id }), { name: "types.shared", storage: redis });
const sharedRemoved: Promise<boolean> = shared.cache.delete(1);
const sharedCleared: Promise<void> = shared.cache.clear();
const sharedCounters: SharedStats = shared.cache.stats();
const sharedValue: Promise<{ id: number }> = shared(1);

const tiered = new TieredStorage(new TTLMapAsyncStorage({ ttl: 1000 }), redis, { syncInterval: 0 });
const viaTier: Promise<boolean> = memoize(async (id: number) => id, { name: "types.tiered", storage: tiered }).cache.delete(2);

// @ts-expect-error a shared cache's delete is a promise, not a boolean
const wrong: boolean = shared.cache.delete(1);

export { removed, cleared, counters, value, sharedRemoved, sharedCleared, sharedCounters, sharedValue, viaTier, wrong };
