// The local storages a user can make and share between memoized functions. Each holds its
// engine (engine.ts) in a private field: the published declarations show only the methods below.

import { Engine } from "./engine.js";

/** Options of {@link TTLMapStorage} and {@link TTLMapAsyncStorage}. */
export interface StorageOptions {
  /** The most entries held; the least recently used is evicted. Default 1000. */
  maxSize?: number;
  /** Default time to live in milliseconds (a whole number ≥ 1); omitted: entries never expire. */
  ttl?: number;
  /** The time source in milliseconds. Default `Date.now`. */
  clock?: () => number;
  /**
   * Async storages only: for this many milliseconds after an entry's TTL, a call returns the
   * stale value at once and starts one background refresh, shared by every caller; a failed
   * refresh keeps the stale value until the window ends (reported to memoize's `onError`).
   * After the window, calls wait for a fresh value. Applies to entries that have a TTL.
   */
  staleWhileRevalidate?: number;
}

/** Counters of a storage. `hits + misses` = lookups; `joined` = hits that shared a pending call. */
export interface CacheStats {
  hits: number;
  /** Of the hits, stale values served while they were refreshed (`staleWhileRevalidate`). */
  staleHits: number;
  misses: number;
  joined: number;
  evictions: number;
  expirations: number;
  size: number;
  pending: number;
}


/** @internal The engine of a local storage (for memoize and TieredStorage). */
export let engineOf: (storage: TTLMapStorage | TTLMapAsyncStorage) => Engine;

/** A TTL + LRU storage of JavaScript values (kept by identity) for synchronous functions. */
export class TTLMapStorage {
  readonly #engine: Engine;
  static {
    const of = (storage: TTLMapStorage) => storage.#engine;
    engineOf = (storage) => (storage instanceof TTLMapStorage ? of(storage) : asyncEngineOf(storage));
  }
  /** A storage of `maxSize` entries (default 1000) with an optional default `ttl`. */
  constructor(options?: StorageOptions) {
    this.#engine = new Engine(options);
  }
  /** The live value for `key`, or undefined (use {@link has} to tell a stored undefined apart). */
  get(key: string): unknown {
    return this.#engine.getValue(key, undefined);
  }
  /** Whether `key` has a live value. */
  has(key: string): boolean {
    return this.#engine.has(key);
  }
  /** Stores `value` for `key`, with its own `ttl` or the default. */
  set(key: string, value: unknown, ttl?: number): void {
    this.#engine.setValue(key, value, ttl);
  }
  /** Removes `key`; true if a live value was removed. */
  delete(key: string): boolean {
    return this.#engine.deleteKey(key);
  }
  /** Removes every entry. */
  clear(): void {
    this.#engine.clearAll();
  }
  /** Invalidates every entry at once (O(1)). */
  bumpVersion(): void {
    this.#engine.clearAll();
  }
  /** The counters. */
  stats(): CacheStats {
    return this.#engine.counters();
  }
}

let asyncEngineOf: (storage: TTLMapAsyncStorage) => Engine;

/** The same storage for async functions: every method returns a promise. */
export class TTLMapAsyncStorage {
  readonly #engine: Engine;
  static {
    asyncEngineOf = (storage) => storage.#engine;
  }
  /** A storage of `maxSize` entries (default 1000) with an optional default `ttl`. */
  constructor(options?: StorageOptions) {
    this.#engine = new Engine(options, true);
  }
  /** The live value for `key`, or undefined. */
  async get(key: string): Promise<unknown> {
    return this.#engine.getValue(key, undefined);
  }
  /** Whether `key` has a live value. */
  async has(key: string): Promise<boolean> {
    return this.#engine.has(key);
  }
  /** Stores `value` for `key`, with its own `ttl` or the default. */
  async set(key: string, value: unknown, ttl?: number): Promise<void> {
    this.#engine.setValue(key, value, ttl);
  }
  /** Removes `key`; true if a live value was removed. */
  async delete(key: string): Promise<boolean> {
    return this.#engine.deleteKey(key);
  }
  /** Removes every entry. */
  async clear(): Promise<void> {
    this.#engine.clearAll();
  }
  /** Invalidates every entry at once (O(1)). */
  async bumpVersion(): Promise<void> {
    this.#engine.clearAll();
  }
  /** The counters. */
  async stats(): Promise<CacheStats> {
    return this.#engine.counters();
  }
}
