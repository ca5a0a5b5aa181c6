// TieredStorage: an in-process L1 (the WebAssembly TTL + LRU store) in front of a shared L2 (Redis).

import type { Engine } from "./engine.js";
import { TTLMapAsyncStorage, engineOf } from "./storages.js";
import type { RedisStorage } from "./redis.js";
import type { SharedAsyncStorage, SharedStats } from "./shared.js";

/** What L1 answers for a key it does not hold. */
const MISS: unique symbol = Symbol("cashier.tieredMiss");

/** Options of {@link TieredStorage}. */
export interface TieredStorageOptions {
  /**
   * How often (ms) an L1 hit first checks L2's generation, so a `clear()` in another process
   * empties this process's L1 within this bound. Default 1000; 0 checks on every call.
   */
  syncInterval?: number;
}

/**
 * L1 (this process's `TTLMapAsyncStorage`, give it a short `ttl`) in front of L2 (a
 * {@link RedisStorage} shared by processes). Reads try L1, then L2 (with L2's lock, if any), then
 * compute; what L2 or the computation returns fills L1. `delete` and `clear` reach both tiers here.
 *
 * Other processes' L1s: a `clear()` anywhere (one Redis `INCR`) empties them at their next call
 * after at most `syncInterval` ms; a `delete(key)` elsewhere is seen when their L1 entry expires,
 * so L1's `ttl` bounds that staleness. L2 failures leave L1 untouched and serving.
 */
export class TieredStorage implements SharedAsyncStorage {
  readonly l1: TTLMapAsyncStorage;
  readonly l2: RedisStorage;
  private readonly syncInterval: number;
  private generation: string | undefined;
  private syncedAt = Number.NEGATIVE_INFINITY;
  private syncing: Promise<void> | undefined;
  private l1Hits = 0;
  /** L1's engine: its synchronous operations. */
  private readonly local: Engine;

  constructor(l1: TTLMapAsyncStorage, l2: RedisStorage, options: TieredStorageOptions = {}) {
    if (!(l1 instanceof TTLMapAsyncStorage)) throw new TypeError("TieredStorage: l1 must be a TTLMapAsyncStorage");
    if (typeof (l2 as RedisStorage | undefined)?.getOrCompute !== "function" || typeof l2.generation !== "function") {
      throw new TypeError("TieredStorage: l2 must be a RedisStorage");
    }
    const interval = options.syncInterval ?? 1000;
    if (!Number.isFinite(interval) || interval < 0) throw new RangeError(`TieredStorage: syncInterval must be ≥ 0 ms, not ${interval}`);
    this.l1 = l1;
    this.local = engineOf(l1);
    this.l2 = l2;
    this.syncInterval = interval;
  }

  /** L1's value for `key`, or `miss` — also `miss` when L2's generation is due a re-read. */
  peek(key: string, miss: unknown): unknown {
    if (Date.now() - this.syncedAt >= this.syncInterval) return miss;
    const found = this.local.getValue(key, miss);
    if (found !== miss) this.l1Hits++;
    return found;
  }

  async getOrCompute(key: string, compute: () => unknown, ttl?: number): Promise<unknown> {
    if (Date.now() - this.syncedAt >= this.syncInterval) await this.sync();
    const found = this.local.getValue(key, MISS);
    if (found !== MISS) {
      this.l1Hits++;
      return found;
    }
    const value = await this.l2.getOrCompute(key, compute, ttl);
    this.local.setValue(key, value, ttl);
    return value;
  }

  async delete(key: string): Promise<boolean> {
    const local = this.local.deleteKey(key);
    const shared = await this.l2.delete(key);
    return local || shared;
  }

  async clear(): Promise<void> {
    this.local.clearAll();
    await this.l2.clear();
    this.generation = await this.l2.generation();
    this.syncedAt = Date.now();
  }

  /** L2's counters, with L1 hits added to `hits`. */
  stats(): SharedStats {
    const shared = this.l2.stats();
    return { ...shared, hits: shared.hits + this.l1Hits };
  }

  /** Reads L2's generation (one call at a time); a change since the last read empties L1. */
  private sync(): Promise<void> {
    this.syncing ??= this.l2
      .generation()
      .then((generation) => {
        if (generation !== undefined) {
          if (this.generation !== undefined && generation !== this.generation) this.local.clearAll();
          this.generation = generation;
        }
        this.syncedAt = Date.now();
      })
      .finally(() => {
        this.syncing = undefined;
      });
    return this.syncing;
  }
}
