// The protocol between memoize and storages that live (partly) outside the process.

/** Counters of a {@link SharedAsyncStorage}, kept by this process. */
export interface SharedStats {
  /** Lookups answered from the storage (for a tiered storage: either tier). */
  hits: number;
  /** Lookups the storage could not answer: the function ran (or waited for another process). */
  misses: number;
  /** Lookups that waited for another process holding the key's lock. */
  waits: number;
  /** Storage failures (errors, timeouts, undecodable entries), each also given to `onError`. */
  errors: number;
}

/**
 * An async storage that memoize hands a whole lookup to (`RedisStorage`, `TieredStorage`, or your
 * own): memoize builds the key and dedups concurrent calls within the process; the storage
 * answers from its tiers or runs `compute` and stores the result. A storage failure never fails
 * the call: the value is computed, the failure reported, and nothing cached is lost.
 */
export interface SharedAsyncStorage {
  /** The stored value for `key`, or `compute()`'s, stored with `ttl` ms (or the storage's default). */
  getOrCompute(key: string, compute: () => unknown, ttl?: number): Promise<unknown>;
  /** Removes `key` everywhere this storage reaches; true if a value was removed. */
  delete(key: string): Promise<boolean>;
  /** Makes every entry unreachable (by rotation: O(1)). */
  clear(): Promise<void>;
  /** This process's counters. */
  stats(): SharedStats;
  /**
   * Optional: the value for `key` if the storage can answer at once, without I/O (an in-process
   * tier), else `miss`. memoize asks this first, so such hits skip the pending-call machinery.
   */
  peek?(key: string, miss: unknown): unknown;
}

/** Whether `storage` speaks {@link SharedAsyncStorage}. */
export function isSharedAsyncStorage(storage: unknown): storage is SharedAsyncStorage {
  return typeof (storage as SharedAsyncStorage | undefined)?.getOrCompute === "function";
}

/**
 * A storage operation that failed or timed out. Given to `onError`; never thrown to callers of a
 * memoized function. Its `message` is `"{operation}: {what happened}"`.
 */
export class StorageError extends Error {
  /**
   * The storage operation: "get", "set", "delete", "clear", "lock", "generation", "subscribe",
   * "serialize", "deserialize" — never a Redis command name (that is {@link command}).
   */
  readonly operation: string;
  /** The cache key concerned, when the operation concerns one key (undefined for clear/generation). */
  readonly key: string | undefined;
  /** The Redis command that failed or timed out ("EVALSHA", "EVAL", "SCRIPT LOAD", "INCR", "GET", "SUBSCRIBE"), when one did. */
  readonly command: string | undefined;
  constructor(operation: string, message: string, options?: { cause?: unknown; key?: string; command?: string }) {
    super(`${operation}: ${message}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "StorageError";
    this.operation = operation;
    this.key = options?.key;
    this.command = options?.command;
  }
}
