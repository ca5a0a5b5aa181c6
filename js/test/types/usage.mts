// Type test (`tsc --noEmit` in .ci/test.d/20-js.sh): the published declarations give local
// caches a synchronous `.cache` and shared storages (Redis) an async one. A wrong declaration
// fails to compile here.
import { memoize, TTLMapAsyncStorage, TTLMapStorage, type CacheStats, type Memoized } from "cashier-wasm";
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

// Combinations memoize refuses at run time are refused by the types too (issue 12).
// @ts-expect-error maxSize belongs to the shared storage
memoize((x: number) => x, { storage: new TTLMapStorage(), maxSize: 10 });
// @ts-expect-error clock belongs to the shared storage
memoize(async (x: number) => x, { storage: new TTLMapAsyncStorage(), clock: () => 0 });
// @ts-expect-error an async function's values are promises: a TTLMapAsyncStorage holds them
memoize(async (x: number) => x, { storage: new TTLMapStorage() });
// @ts-expect-error a synchronous function needs a TTLMapStorage
memoize((x: number) => x, { storage: new TTLMapAsyncStorage() });
// @ts-expect-error a storage outside the process answers with promises: async functions only
memoize((id: number) => id, { name: "types.sync", storage: redis });
// A function returning promises without being declared async is fine with async storages.
const promised: Memoized<(x: number) => Promise<number>> = memoize((x: number) => Promise.resolve(x), { storage: new TTLMapAsyncStorage(), async: true });
const privateCache: Memoized<(x: number) => number> = memoize((x: number) => x, { maxSize: 10, ttl: 5, clock: () => 0 });

export { promised, privateCache };
export { removed, cleared, counters, value, sharedRemoved, sharedCleared, sharedCounters, sharedValue, viaTier, wrong };

// Freshness options (issue 16): the stale window of a shared local storage is the storage's.
import { TimeoutError, computationSignal } from "cashier-wasm";
const fresh = memoize(async (id: number) => id, { ttl: 1000, staleWhileRevalidate: 5000, timeout: 100, onError: (error: unknown) => void error });
const staleHits: number = fresh.cache.stats().staleHits;
const signal: AbortSignal | undefined = computationSignal();
const timedOut: boolean = new TimeoutError("f", 10) instanceof Error;
// @ts-expect-error staleWhileRevalidate belongs to the shared storage
memoize(async (x: number) => x, { storage: new TTLMapAsyncStorage({ ttl: 10, staleWhileRevalidate: 10 }), staleWhileRevalidate: 5 });
