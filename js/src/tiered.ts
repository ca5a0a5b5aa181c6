// TieredStorage: an in-process L1 (the WebAssembly TTL + LRU store) in front of a shared L2 (Redis).

import type { Engine } from "./engine.js";
import { TTLMapAsyncStorage, engineOf } from "./storages.js";
import type { RedisStorage } from "./redis.js";
import { StorageError, type SharedAsyncStorage, type SharedStats } from "./shared.js";

/** What L1 answers for a key it does not hold. */
const MISS: unique symbol = Symbol("cashier.tieredMiss");

/** A node-redis client or cluster used only to subscribe (`subscribe(channel, listener)`). */
export interface NodeRedisSubscriberLike {
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>;
  on?(event: "ready", listener: () => void): unknown;
}

/** An ioredis client or Cluster used only to subscribe (`subscribe(channel)` + `"message"` events). */
export interface IoRedisSubscriberLike {
  call(command: string, ...args: string[]): Promise<unknown>;
  subscribe(channel: string): Promise<unknown>;
  on(event: "message", listener: (channel: string, message: string) => void): unknown;
  on(event: "ready", listener: () => void): unknown;
}

/** Options of {@link TieredStorage}. */
export interface TieredStorageOptions {
  /**
   * How often (ms) an L1 hit first checks L2's generation, so a `clear()` in another process
   * empties this process's L1 within this bound. Default 1000; 0 checks on every call.
   */
  syncInterval?: number;
  /**
   * A connection of its own (node-redis: `await client.duplicate().connect()`; ioredis:
   * `client.duplicate()`) on which this storage subscribes to L2's invalidation channel
   * (`{prefix}invalidate`), so a `delete(key)` in any process drops `key` from this L1 as soon as
   * the message arrives. Without it, another process's delete is seen here when L1's entry
   * expires. Not closed by the storage; a connection in subscribe mode cannot send other commands.
   */
  subscriber?: NodeRedisSubscriberLike | IoRedisSubscriberLike;
}

/** {@link TieredStorage}'s counters: L2's, L1 hits added to `hits`, and the invalidations received. */
export interface TieredStats extends SharedStats {
  /** Invalidation messages received (a `delete` by this or another process) while subscribed. */
  invalidations: number;
}

/**
 * L1 (this process's `TTLMapAsyncStorage`, give it a short `ttl`) in front of L2 (a
 * {@link RedisStorage} shared by processes). Reads try L1, then L2 (with L2's lock, if any), then
 * compute; what L2 or the computation returns fills L1. `delete` and `clear` reach both tiers here.
 *
 * Other processes' L1s: a `clear()` anywhere (one Redis `INCR`) empties them at their next call
 * after at most `syncInterval` ms. A `delete(key)` elsewhere reaches them through Redis pub/sub
 * when they have a `subscriber` (one message delivery), else when their L1 entry expires; while
 * the subscriber is disconnected, L1's `ttl` bounds that staleness, and L1 is emptied when it
 * reconnects (it may have missed messages). L2 failures leave L1 untouched and serving.
 */
export class TieredStorage implements SharedAsyncStorage {
  readonly l1: TTLMapAsyncStorage;
  readonly l2: RedisStorage;
  /**
   * Resolves once the subscription to the invalidation channel is live: true, or false when there
   * is no `subscriber` or subscribing failed (reported to L2's `onError` as operation "subscribe").
   */
  readonly subscribed: Promise<boolean>;
  readonly #syncInterval: number;
  #generation: string | undefined;
  #syncedAt = Number.NEGATIVE_INFINITY;
  #syncing: Promise<void> | undefined;
  #l1Hits = 0;
  /** Invalidation messages received. */
  #invalidations = 0;
  /** Bumped by every invalidation and resubscription: a lookup that saw it change does not fill L1. */
  #epoch = 0;
  /** L1's engine: its synchronous operations. */
  readonly #local: Engine;

  constructor(l1: TTLMapAsyncStorage, l2: RedisStorage, options: TieredStorageOptions = {}) {
    if (!(l1 instanceof TTLMapAsyncStorage)) throw new TypeError("TieredStorage: l1 must be a TTLMapAsyncStorage");
    if (typeof (l2 as RedisStorage | undefined)?.getOrCompute !== "function" || typeof l2.generation !== "function") {
      throw new TypeError("TieredStorage: l2 must be a RedisStorage");
    }
    const interval = options.syncInterval ?? 1000;
    if (!Number.isFinite(interval) || interval < 0) throw new RangeError(`TieredStorage: syncInterval must be ≥ 0 ms, not ${interval}`);
    const subscriber = options.subscriber;
    if (subscriber !== undefined && typeof (subscriber as NodeRedisSubscriberLike | null)?.subscribe !== "function") {
      throw new TypeError("TieredStorage: subscriber must be a node-redis or ioredis connection of its own (with subscribe)");
    }
    this.l1 = l1;
    this.#local = engineOf(l1);
    this.l2 = l2;
    this.#syncInterval = interval;
    this.subscribed = subscriber === undefined ? Promise.resolve(false) : this.#subscribe(subscriber);
  }

  /** L1's value for `key`, or `miss` — also `miss` when L2's generation is due a re-read. */
  peek(key: string, miss: unknown): unknown {
    if (Date.now() - this.#syncedAt >= this.#syncInterval) return miss;
    const found = this.#local.getValue(key, miss);
    if (found !== miss) this.#l1Hits++;
    return found;
  }

  async getOrCompute(key: string, compute: () => unknown, ttl?: number): Promise<unknown> {
    if (Date.now() - this.#syncedAt >= this.#syncInterval) await this.#sync();
    const found = this.#local.getValue(key, MISS);
    if (found !== MISS) {
      this.#l1Hits++;
      return found;
    }
    const seen = this.#epoch;
    const value = await this.l2.getOrCompute(key, compute, ttl);
    // A delete that arrived meanwhile may concern the value L2 just gave: leave it out of L1.
    if (this.#epoch === seen) this.#local.setValue(key, value, ttl);
    return value;
  }

  /** Removes `key` from L1 and L2; L2's delete also tells every subscribed process to drop it from its L1. */
  async delete(key: string): Promise<boolean> {
    const local = this.#local.deleteKey(key);
    const shared = await this.l2.delete(key);
    return local || shared;
  }

  async clear(): Promise<void> {
    this.#local.clearAll();
    await this.l2.clear();
    this.#generation = await this.l2.generation();
    this.#syncedAt = Date.now();
  }

  /** L2's counters, with L1 hits added to `hits`, and the invalidations received. */
  stats(): TieredStats {
    const shared = this.l2.stats();
    return { ...shared, hits: shared.hits + this.#l1Hits, invalidations: this.#invalidations };
  }

  /** Subscribes to L2's invalidation channel; a (re)connection after the first empties L1. */
  async #subscribe(subscriber: NodeRedisSubscriberLike | IoRedisSubscriberLike): Promise<boolean> {
    const channel = this.l2.channel;
    const drop = (key: string) => {
      this.#invalidations++;
      this.#epoch++;
      this.#local.deleteKey(String(key));
    };
    let live = false;
    try {
      if (typeof (subscriber as IoRedisSubscriberLike).call === "function") {
        const io = subscriber as IoRedisSubscriberLike;
        io.on("message", (from, message) => {
          if (from === channel) drop(message);
        });
        await io.subscribe(channel);
      } else {
        await (subscriber as NodeRedisSubscriberLike).subscribe(channel, (message) => drop(message));
      }
      live = true;
    } catch (error) {
      this.l2.reportError(new StorageError("subscribe", `${error instanceof Error ? error.message : String(error)} (SUBSCRIBE ${channel})`, { cause: error, command: "SUBSCRIBE" }));
      return false;
    }
    // Both clients resubscribe by themselves after a reconnection; what was published while the
    // connection was down is lost, so L1 (which may hold deleted keys) starts over. (A cluster
    // client moves its subscription between nodes without a "ready": L1's TTL bounds that case.)
    subscriber.on?.("ready", () => {
      if (live) {
        this.#epoch++;
        this.#local.clearAll();
      }
    });
    return true;
  }

  /** Reads L2's generation (one call at a time); a change since the last read empties L1. */
  #sync(): Promise<void> {
    this.#syncing ??= this.l2
      .generation()
      .then((generation) => {
        if (generation !== undefined) {
          if (this.#generation !== undefined && generation !== this.#generation) this.#local.clearAll();
          this.#generation = generation;
        }
        this.#syncedAt = Date.now();
      })
      .finally(() => {
        this.#syncing = undefined;
      });
    return this.#syncing;
  }
}
