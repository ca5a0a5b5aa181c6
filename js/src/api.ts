// The public API of cashier-wasm: memoize, the storages and buildKey. The cache rules (recency,
// expiry, eviction, pending computations, key encoding) live in the WebAssembly core; this module
// adapts them to JavaScript (promises, `this`, options) and keeps what is cheapest here: the
// key → slot index (a Map: V8 hashes a key string once and keeps the hash), the values, and the
// repr keys of primitive arguments.

import { WasmSlots, checkKeyOptions, outOfMemory, slotsMemoryBytes, wasmMemory as wasmMemoryObject } from "./wasm/cashier_js.js";
import type { KeyOptionsJs, WasmMemo } from "./wasm/cashier_keys.js";
import { keyModule, keyModuleLoaded } from "./keys.js";
import { randomWords } from "./random.js";
import { isSharedAsyncStorage, type SharedAsyncStorage, type SharedStats } from "./shared.js";

/** How the canonical key becomes the stored key. */
export type Serializer = "repr" | "md5" | "sha256" | { serialize(canonicalKey: string): string };

/** Options of {@link TTLMapStorage} and {@link TTLMapAsyncStorage}. */
export interface StorageOptions {
  /** The most entries held; the least recently used is evicted. Default 1000. */
  maxSize?: number;
  /** Default time to live in milliseconds (a whole number ≥ 1); omitted: entries never expire. */
  ttl?: number;
  /** The time source in milliseconds. Default `Date.now`. */
  clock?: () => number;
}

/** Counters of a storage. `hits + misses` = lookups; `joined` = hits that shared a pending call. */
export interface CacheStats {
  hits: number;
  misses: number;
  joined: number;
  evictions: number;
  expirations: number;
  size: number;
  pending: number;
}

/** Options shared by {@link memoize} and {@link buildKey}. */
export interface KeyOptions {
  /** Prepended to every key, e.g. "myapp:". */
  prefix?: string;
  /** Rotating it gives every key of the function a new value. `[A-Za-z0-9._-]+`. */
  version?: string | number;
  /** Positions of the parameters that take part in the key. Default: all. */
  cacheWith?: readonly number[];
  /** "repr" (readable, the default), "md5", "sha256", or `{ serialize(key) }`. */
  serializer?: Serializer;
  /** The longest key accepted, in bytes. Default 1 MiB. */
  maxKeyBytes?: number;
}

/** Options of {@link memoize}. */
export interface MemoizeOptions extends KeyOptions, StorageOptions {
  /** The qualified name in keys. Default `fn.name`; required for anonymous functions on a shared storage. */
  name?: string;
  /** Build the key yourself: `(name, args) => string`. */
  keyBuilder?: (name: string, args: readonly unknown[]) => string;
  /**
   * A storage to share between functions: `TTLMapStorage` (sync functions), `TTLMapAsyncStorage`,
   * or a storage outside the process such as `RedisStorage`/`TieredStorage` (async functions).
   * `maxSize` and `clock` then belong to the storage.
   */
  storage?: TTLMapStorage | TTLMapAsyncStorage | SharedAsyncStorage;
  /** Treat a function that returns promises as async (declared `async` functions are detected). */
  async?: boolean;
}

/** The `.cache` of a memoized function. */
export interface MemoCache<A extends unknown[]> {
  /** Removes the entry for these arguments (and cancels its pending call); true if one was live. */
  delete(...args: A): boolean;
  /** Removes every entry of the function's storage. */
  clear(): void;
  /** The key these arguments have. */
  keyOf(...args: A): string;
  /** The storage's counters. */
  stats(): CacheStats;
}

/** The `.cache` of a function memoized over a storage outside the process (Redis): async. */
export interface SharedMemoCache<A extends unknown[]> {
  /** Removes the entry for these arguments wherever the storage reaches (and cancels this process's pending call). */
  delete(...args: A): Promise<boolean>;
  /** Makes every entry of the storage unreachable (by rotation). */
  clear(): Promise<void>;
  /** The key these arguments have. */
  keyOf(...args: A): string;
  /** This process's counters of the storage. */
  stats(): SharedStats;
}

/** A memoized function: the same signature, plus `.cache`. */
export type Memoized<F extends (...args: any[]) => any> = F & { readonly cache: MemoCache<Parameters<F>> };

/** A function memoized over a storage outside the process: the same signature, plus an async `.cache`. */
export type SharedMemoized<F extends (...args: any[]) => any> = F & { readonly cache: SharedMemoCache<Parameters<F>> };

const DEFAULT_MAX_SIZE = 1000;
const DEFAULT_MAX_KEY_BYTES = 1 << 20;
/** Characters a string's canonical form escapes or rejects (KEYS.md): those go through wasm. */
const NEEDS_WASM = /["\\\u0000-\u001f\u007f\ud800-\udfff]/;
const NOT_FOUND: unique symbol = Symbol("cashier.notFound");

/** A hasher seed as (low, high) words; see {@link randomWords}. */
function randomSeed(): [number, number] {
  const [low, high] = randomWords(2);
  return [low!, high!];
}

/**
 * Async context for re-entrancy detection: the flights whose computation the current code runs
 * inside. Set by runtimes that have `AsyncLocalStorage` (the Node/Deno/Bun entry); elsewhere only
 * the synchronous part of a computation is tracked.
 */
interface FlightContext {
  getStore(): readonly Flight[] | undefined;
  run<R>(store: readonly Flight[], callback: () => R): R;
  /** Stops tracking until the next `run` (Node then removes its promise hooks). */
  disable?(): void;
}
let flightContext: FlightContext | undefined;
/**
 * Computations running inside the flight context. Tracking costs every promise in the process
 * something (Node's AsyncLocalStorage installs promise hooks while enabled), so the context is
 * switched off whenever no computation is pending: hits and idle time pay nothing.
 */
let contextUsers = 0;

/** Runs `compute` inside the flight context `lineage`; pair with {@link leaveContext} once the
 * computation (and its promise) has ended. */
function runInContext<R>(lineage: readonly Flight[], compute: () => R): R {
  // Until a computation runs in it, no code can be inside a flight: getStore() may wait too.
  if (flightContext === undefined && makeFlightContext !== undefined) flightContext = makeFlightContext();
  if (flightContext === undefined) return compute();
  contextUsers++;
  return flightContext.run(lineage, compute);
}

function leaveContext(): void {
  if (flightContext !== undefined && --contextUsers === 0) flightContext.disable?.();
}
/** Flights whose computation is running synchronously right now (fallback tracking). */
let synchronousFlights: readonly Flight[] = [];

/** Makes the flight context when first needed (runtimes that provide AsyncLocalStorage). */
let makeFlightContext: (() => FlightContext) | undefined;

/** @internal Called by runtime entries that provide AsyncLocalStorage. */
export function useAsyncContext(make: () => FlightContext): void {
  makeFlightContext = make;
}

/** A pending computation shared by every caller of one key. */
interface Flight {
  /** Its ticket's serial. */
  serial: number;
  promise: Promise<unknown>;
}

function reentrant(name: string): Error {
  return new Error(`memoize: ${name || "an anonymous function"} awaited its own pending call with the same arguments (async re-entrancy); it would wait for itself forever`);
}

/** Cells shared with the core's `WasmSlots` (wasm/js/src/slots.rs): the same indices. */
const DEADLINES_AT = 0;
const DEADLINES_LEN = 1;
const SERIAL = 2;
const FREED_COUNT = 3;
const FREED = 4;
const TOUCHES = 8;
const TOUCH_CAPACITY = 256;
/** Marks a planned insert in the operation log (after TOUCHES). */
const INSERT = 0x8000_0000;
const PLAN = TOUCHES + TOUCH_CAPACITY;
const PLAN_CAPACITY = 64;
/** The first plan's length; each plan used up doubles it (to PLAN_CAPACITY). */
const FIRST_PLAN = 4;
const CELLS = PLAN + PLAN_CAPACITY;
/** The deadline the core gives a slot reserved for a pending computation. */
const PENDING = -1;
/** The most slots a storage reserves when it is made (the core's PREALLOCATED_SLOTS). */
const PREALLOCATED_SLOTS = 1 << 18;
/** What the core returns for a slot it could not make (memory exhausted). */
const NO_SLOT = 0xffff_ffff;
/** {@link Storage.check}: no live entry and nothing pending. */
const ABSENT = -1;
/** {@link Storage.check} results ≤ -3 are pending async computations: `-3 - slot`. */
const PENDING_BASE = -3;

let memory: WebAssembly.Memory | undefined;

/**
 * One level of a key index: a key → a deeper level or a slot. A storage's
 * string keys are one level; a private cache also indexes calls with primitive arguments by the
 * arguments themselves, one level per argument (Map keys compare by SameValueZero, which for
 * primitives is exactly the canonical keys' equality: `1` ≠ `"1"` ≠ `1n`, `-0` = `0`, NaN = NaN),
 * so a hit builds no key string at all.
 */
class Level {
  readonly map = new Map<unknown, Level | number>();
  /** Synchronous computations that will store here: a pinned level is never pruned. */
  pins = 0;
  constructor(
    readonly parent?: Level,
    readonly key?: unknown,
  ) {}
}

abstract class Storage {
  /** @internal The core's rules for this storage's slots. */
  readonly slots: WasmSlots;
  /** @internal String key → slot. */
  readonly index = new Level();
  /** @internal Argument indexes of the private cache of one memoized function, by arity. */
  readonly roots: (Level | undefined)[] = [];
  /** @internal Per slot: the level that indexes it (while every slot is in one level, that is
   * `soleLeaf` and this stays empty), and its key there. */
  leaves: (Level | undefined)[] = [];
  soleLeaf: Level | undefined | null = undefined;
  lastKeys: unknown[] = [];
  /** @internal Per slot: its value, or the Flight of a pending async computation. */
  values: unknown[] = [];
  /** @internal Bumped by clear: a computation that started before stores nothing. */
  epoch = 0;
  /** @internal The synchronous computations running, innermost last: where each will store,
   * and whether a delete or set cancelled it. */
  busyLeaves: (Level | undefined)[] = [];
  busyKeys: unknown[] = [];
  busyCancelled: boolean[] = [];
  busyDepth = 0;
  /** @internal Lookups that found nothing (hits are counted by the core). */
  misses = 0;
  /** @internal Lookups that joined a pending computation. */
  joined = 0;
  /** Views of the core's cells and slots (remade when memory grows or the slots move). */
  private cells!: Uint32Array;
  private deadlines!: Float64Array;
  /** Entries of the operation log (hits, planned inserts) not yet applied by the core. */
  private touched = 0;
  /** How many of them are planned inserts: all of them while no hit came between. */
  private logged = 0;
  /** The plan of the next inserts' slots in the cells: the next one to use, and its end. */
  private planned = 0;
  private planEnd = 0;
  private planSize = FIRST_PLAN;
  private readonly clock: () => number;
  /** Store time: the latest clock reading, in whole ms; it never runs backwards. */
  private floor = 0;
  /** Whether any entry may expire: the clock is read only then. */
  private timed: boolean;
  /** Whether async computations may hold pending slots here (TTLMapAsyncStorage). */
  private readonly computesAsync: boolean;
  /** Neither: every indexed slot is live, and a hit reads no deadline. */
  private everLive: boolean;

  constructor(options: StorageOptions = {}, computesAsync = false) {
    const { maxSize = DEFAULT_MAX_SIZE, ttl, clock } = options;
    if (clock !== undefined && typeof clock !== "function") throw new TypeError("clock must be a function returning milliseconds");
    checkTtl(ttl);
    this.slots = new WasmSlots(maxSize, ttl);
    // Room for a full cache up front, as the core reserves its slots (PREALLOCATED_SLOTS).
    const slots = Math.min(maxSize, PREALLOCATED_SLOTS);
    this.lastKeys = new Array(slots);
    this.values = new Array(slots);
    this.clock = clock ?? Date.now;
    this.timed = ttl !== undefined;
    this.computesAsync = computesAsync;
    this.everLive = !this.timed && !computesAsync;
    this.view();
  }

  /** @internal What an index holds for a key, as a lookup: the slot of a live entry (its hit
   * recorded), ABSENT, or `-3 - slot` while an async computation is pending. An expired entry
   * found is freed. */
  check(found: Level | number | undefined): number {
    if (typeof found !== "number") return ABSENT;
    if (this.everLive) {
      // Nothing here can expire or be pending: every indexed slot is a live entry.
      if (this.cells.length === 0) this.view();
      this.cells[TOUCHES + this.touched] = found;
      if (++this.touched === TOUCH_CAPACITY) this.slots.flush(this.takeTouched());
      return found;
    }
    let deadline = this.deadlines[found << 1];
    if (deadline === undefined) {
      this.view();
      deadline = this.deadlines[found << 1]!;
    }
    if (deadline === Infinity || (deadline >= 0 && this.now() < deadline)) {
      this.cells[TOUCHES + this.touched] = found;
      if (++this.touched === TOUCH_CAPACITY) this.slots.flush(this.takeTouched());
      return found;
    }
    if (deadline === PENDING) return PENDING_BASE - found;
    if (this.slots.expire(this.takeTouched(), found, this.floor)) this.forget(found);
    return ABSENT;
  }

  /** @internal Whether `key` has a live entry (no hit recorded). */
  has(key: string): boolean | Promise<boolean> {
    const slot = this.index.map.get(key);
    if (typeof slot !== "number") return false;
    if (this.everLive) return true;
    let deadline = this.deadlines[slot << 1];
    if (deadline === undefined) {
      this.view();
      deadline = this.deadlines[slot << 1]!;
    }
    return deadline === Infinity || (deadline >= 0 && this.now() < deadline);
  }

  /** @internal The argument index's first level for calls of `count` arguments, made if
   * missing. It is never replaced (a clear empties it), so callers may keep it. */
  rootOf(count: number): Level {
    let level = this.roots[count];
    if (level === undefined) this.roots[count] = level = new Level();
    return level;
  }

  /** @internal The level of the argument index that holds the last participating argument of
   * `args` (those at `positions`, or all), made if missing. */
  leafFor(args: unknown[], positions: number[] | undefined): Level {
    const count = positions ? positions.length : args.length;
    let level = this.rootOf(count);
    for (let i = 0; i < count - 1; i++) {
      const key = positions ? args[positions[i]!] : args[i];
      let next = level.map.get(key) as Level | undefined;
      if (next === undefined) level.map.set(key, (next = new Level(level, key)));
      level = next;
    }
    return level;
  }

  /** @internal Reserves a pending slot for `key` at `leaf` (its serial is then {@link serial}). */
  begin(leaf: Level, key: unknown): number {
    const slot = this.slots.begin(this.takeTouched());
    if (slot === NO_SLOT) throw outOfMemory();
    this.follow(slot);
    this.link(slot, leaf, key, undefined);
    return slot;
  }

  /** @internal The serial of the slot the latest {@link begin} reserved. */
  serial(): number {
    return this.cells[SERIAL]!;
  }

  /** @internal Stores the value of pending slot `slot`/`serial`, unless it was deleted or
   * cleared meanwhile. */
  complete(slot: number, serial: number, value: unknown, ttl: number | undefined): void {
    const stored = this.slots.complete(this.takeTouched(), slot, serial, this.time(ttl), ttl ?? Number.NaN);
    this.dropFreed();
    if (stored) this.values[slot] = value;
  }

  /** @internal Frees pending slot `slot`/`serial` after its computation failed. */
  abandon(slot: number, serial: number): void {
    if (this.slots.abandon(this.takeTouched(), slot, serial)) this.forget(slot);
  }

  /** @internal Stores `value` as a new entry for `key` at `leaf`. */
  insert(leaf: Level, key: unknown, value: unknown, ttl: number | undefined): void {
    // Where nothing can expire and no hit came since the core last looked, a new entry takes
    // the next planned slot without a call into WebAssembly: the core applies the logged
    // inserts, in order, before its next operation (see WasmSlots).
    if (ttl === undefined && this.everLive && this.touched === this.logged && this.touched < TOUCH_CAPACITY) {
      if (this.planned === this.planEnd) this.plan();
      if (this.planned < this.planEnd) {
        let cells = this.cells;
        if (cells.length === 0) {
          this.view();
          cells = this.cells;
        }
        const planned = cells[PLAN + this.planned++]!;
        const slot = planned & 0x7fff_ffff;
        if (planned !== slot) this.unindex(slot); // it evicts: the old entry leaves the index
        cells[TOUCHES + this.touched++] = slot + INSERT;
        this.logged++;
        this.link(slot, leaf, key, value);
        return;
      }
    }
    const slot = this.slots.insert(this.takeTouched(), this.time(ttl), ttl ?? Number.NaN);
    if (slot === NO_SLOT) throw outOfMemory();
    // The slots the core freed to make room (the new slot may be one of them), then the view.
    let cells = this.cells;
    if (cells.length === 0) {
      this.view();
      cells = this.cells;
    }
    const count = cells[FREED_COUNT]!;
    for (let i = 0; i < count; i++) {
      const freed = cells[FREED + i]!;
      // The slot reused at once keeps its array places: link overwrites them.
      if (freed === slot) this.unindex(freed);
      else this.forget(freed);
    }
    if (slot << 1 >= this.deadlines.length || cells[DEADLINES_AT] !== this.deadlines.byteOffset) this.view();
    this.link(slot, leaf, key, value);
  }

  /** @internal Whether a synchronous computation of `key` at `leaf` is running. */
  isBusy(leaf: Level, key: unknown): boolean {
    const depth = this.busyDepth;
    for (let i = 0; i < depth; i++) {
      if (this.busyLeaves[i] === leaf && sameValueZero(this.busyKeys[i], key)) return true;
    }
    return false;
  }

  /** @internal Starts a synchronous computation of `key` at `leaf`. */
  enter(leaf: Level, key: unknown): void {
    leaf.pins++;
    const depth = this.busyDepth++;
    this.busyLeaves[depth] = leaf;
    this.busyKeys[depth] = key;
    this.busyCancelled[depth] = false;
  }

  /** @internal Ends the innermost synchronous computation (of `key` at `leaf`, started in
   * `epoch`): stores `value` unless it failed or the key was deleted, set or cleared meanwhile. */
  leave(leaf: Level, key: unknown, epoch: number, value: unknown, ttl: number | undefined, failed: boolean): void {
    const depth = --this.busyDepth;
    const cancelled = this.busyCancelled[depth];
    // Keep no argument or level alive.
    this.busyLeaves[depth] = undefined;
    this.busyKeys[depth] = undefined;
    leaf.pins--;
    if (failed || cancelled || epoch !== this.epoch) {
      this.prune(leaf);
    } else {
      this.insert(leaf, key, value, ttl);
    }
  }

  /** Cancels a running synchronous computation of `key` at `leaf`, if any. */
  private cancelBusy(leaf: Level, key: unknown): void {
    for (let i = this.busyDepth - 1; i >= 0; i--) {
      if (this.busyLeaves[i] === leaf && sameValueZero(this.busyKeys[i], key)) this.busyCancelled[i] = true;
    }
  }

  /** @internal The live value for `key`, or `missing`. */
  getValue(key: string, missing: unknown): unknown {
    const slot = this.check(this.index.map.get(key));
    if (slot >= 0) return this.values[slot];
    this.misses++;
    return missing;
  }

  /** @internal Stores `value` for `key` with its own `ttl` or the default. */
  setValue(key: string, value: unknown, ttl?: number): void {
    checkTtl(ttl);
    if (this.busyDepth > 0) this.cancelBusy(this.index, key);
    const existing = this.index.map.get(key);
    if (typeof existing === "number") {
      if (this.slots.refresh(this.takeTouched(), existing, this.time(ttl), ttl ?? Number.NaN)) {
        this.values[existing] = value;
        return;
      }
      // A pending computation's slot: the value set wins, the computation stores nothing.
      this.slots.remove(0, existing, this.floor);
      this.forget(existing);
    }
    this.insert(this.index, key, value, ttl);
  }

  /** @internal Removes `key` (cancelling a pending computation); true if a live value was removed. */
  deleteKey(key: string): boolean {
    return this.deleteAt(this.index, key);
  }

  /** @internal Removes what `leaf` holds for `key`. */
  deleteAt(leaf: Level, key: unknown): boolean {
    if (this.busyDepth > 0) this.cancelBusy(leaf, key);
    const found = leaf.map.get(key);
    if (typeof found !== "number") return false;
    const live = this.slots.remove(this.takeTouched(), found, this.time(undefined));
    this.forget(found);
    return live;
  }

  /** @internal Removes every entry and cancels every pending computation, in O(1). */
  clearAll(): void {
    // The hits logged so far still count (the core applies the log first), then everything goes.
    this.slots.flush(this.takeTouched());
    this.slots.clear();
    this.epoch++;
    // The first levels stay (memoized functions keep them); emptying a Map is O(1) in V8.
    this.index.map.clear();
    for (const root of this.roots) root?.map.clear();
    this.leaves = [];
    this.soleLeaf = undefined;
    this.lastKeys = [];
    this.values = [];
  }

  /** @internal The counters. */
  counters(): CacheStats {
    const [hits, evictions, expirations, size, pending] = this.slots.stats(this.takeTouched()) as unknown as number[];
    return {
      hits: hits! + this.joined,
      misses: this.misses,
      joined: this.joined,
      evictions: evictions!,
      expirations: expirations!,
      size: size!,
      pending: pending! + this.busyDepth,
    };
  }

  private link(slot: number, leaf: Level, key: unknown, value: unknown): void {
    leaf.map.set(key, slot);
    if (leaf !== this.soleLeaf) {
      if (this.soleLeaf === undefined) {
        this.soleLeaf = leaf;
      } else {
        // A second level: from now on every slot records its own.
        if (this.soleLeaf !== null) this.leaves = new Array<Level | undefined>(this.values.length).fill(this.soleLeaf);
        this.soleLeaf = null;
        this.leaves[slot] = leaf;
      }
    }
    this.lastKeys[slot] = key;
    this.values[slot] = value;
  }

  /** Store time for an operation storing with `ttl`: the clock is read only if something can expire. */
  private time(ttl: number | undefined): number {
    if (ttl !== undefined && !this.timed) {
      this.timed = true;
      this.everLive = false;
    }
    return this.timed ? this.now() : this.floor;
  }

  /** Store time: the clock in whole ms, held at its latest reading when it runs backwards,
   * throws or returns something that is not a finite number ≥ 0. */
  private now(): number {
    let reading: unknown;
    try {
      reading = this.clock();
    } catch {
      return this.floor;
    }
    if (typeof reading === "number" && reading > this.floor && reading < Infinity) this.floor = Math.floor(reading);
    return this.floor;
  }

  /** The number of log entries for the core's next operation to apply first; the plan ends
   * with it (a plan cut short by anything but inserts makes the next one short too). */
  private takeTouched(): number {
    const touched = this.touched;
    this.touched = 0;
    this.logged = 0;
    if (this.planned < this.planEnd) this.planSize = FIRST_PLAN;
    this.planned = this.planEnd = 0;
    return touched;
  }

  /** Asks the core for the next inserts' slots (applying the log first). */
  private plan(): void {
    const used = this.planEnd > 0 && this.planned === this.planEnd;
    const size = used ? Math.min(this.planSize * 2, PLAN_CAPACITY) : this.planSize;
    const listed = this.slots.plan(this.takeTouched(), size);
    this.planSize = size;
    this.planEnd = listed;
  }

  /** Drops what this side holds for the slots the core's latest operation freed. */
  private dropFreed(): void {
    if (this.cells.length === 0) this.view();
    const count = this.cells[FREED_COUNT]!;
    for (let i = 0; i < count; i++) this.forget(this.cells[FREED + i]!);
  }

  /** Drops what this side holds for a freed slot. A slot's level maps its key to it for as
   * long as the slot is held (a key never has two slots: replacing, expiring and cancelling
   * free the old slot first), so its entry is deleted without looking. */
  private forget(slot: number): void {
    this.unindex(slot);
    if (this.soleLeaf === null) this.leaves[slot] = undefined;
    this.lastKeys[slot] = undefined;
    this.values[slot] = undefined;
  }

  /** Deletes a freed slot's index entry (its references stay until the slot is reused or
   * {@link forget} drops them). */
  private unindex(slot: number): void {
    const leaf = this.soleLeaf ?? this.leaves[slot];
    if (leaf === undefined) return;
    leaf.map.delete(this.lastKeys[slot]);
    if (leaf.map.size === 0) this.prune(leaf);
  }

  /** @internal Removes `level` and its emptied ancestors from the argument index. */
  pruneFrom(level: Level): void {
    this.prune(level);
  }

  /** Removes emptied argument levels from their parents. */
  private prune(level: Level): void {
    while (level.map.size === 0 && level.pins === 0 && level.parent !== undefined) {
      level.parent.map.delete(level.key);
      level = level.parent;
    }
  }

  /** Remakes the views if `slot` is beyond them, the deadlines moved or memory grew. */
  private follow(slot: number): void {
    if (slot << 1 >= this.deadlines.length || this.cells.length === 0 || this.cells[DEADLINES_AT] !== this.deadlines.byteOffset) this.view();
  }

  private view(): void {
    memory ??= wasmMemoryObject() as WebAssembly.Memory;
    const buffer = memory.buffer;
    this.cells = new Uint32Array(buffer, this.slots.cellsAt(), CELLS);
    // Slot i's deadline is the f64 at 16 × i (the core's SlotNode layout).
    this.deadlines = new Float64Array(buffer, this.cells[DEADLINES_AT]!, this.cells[DEADLINES_LEN]! * 2);
  }
}

/** A TTL must be undefined or a whole number of milliseconds ≥ 1 (the core trusts this). */
function checkTtl(ttl: unknown): void {
  if (ttl === undefined) return;
  if (typeof ttl !== "number") throw new TypeError("ttl must be a number of milliseconds");
  if (!(Number.isSafeInteger(ttl) && ttl >= 1)) throw new RangeError(`ttl must be a whole number of at least 1, got ${ttl}`);
}

/** A TTL + LRU storage of JavaScript values (kept by identity) for synchronous functions. */
export class TTLMapStorage extends Storage {
  /** A storage of `maxSize` entries (default 1000) with an optional default `ttl`. */
  constructor(options?: StorageOptions) {
    super(options);
  }
  /** The live value for `key`, or undefined (use {@link has} to tell a stored undefined apart). */
  get(key: string): unknown {
    return this.getValue(key, undefined);
  }
  /** Whether `key` has a live value. */
  override has(key: string): boolean {
    return super.has(key) as boolean;
  }
  /** Stores `value` for `key`, with its own `ttl` or the default. */
  set(key: string, value: unknown, ttl?: number): void {
    this.setValue(key, value, ttl);
  }
  /** Removes `key`; true if a live value was removed. */
  delete(key: string): boolean {
    return this.deleteKey(key);
  }
  /** Removes every entry. */
  clear(): void {
    this.clearAll();
  }
  /** Invalidates every entry at once (O(1)). */
  bumpVersion(): void {
    this.clearAll();
  }
  /** The counters. */
  stats(): CacheStats {
    return this.counters();
  }
}

/** The same storage for async functions: every method returns a promise. */
export class TTLMapAsyncStorage extends Storage {
  /** A storage of `maxSize` entries (default 1000) with an optional default `ttl`. */
  constructor(options?: StorageOptions) {
    super(options, true);
  }
  async get(key: string): Promise<unknown> {
    return this.getValue(key, undefined);
  }
  override async has(key: string): Promise<boolean> {
    return super.has(key);
  }
  async set(key: string, value: unknown, ttl?: number): Promise<void> {
    this.setValue(key, value, ttl);
  }
  async delete(key: string): Promise<boolean> {
    return this.deleteKey(key);
  }
  async clear(): Promise<void> {
    this.clearAll();
  }
  async bumpVersion(): Promise<void> {
    this.clearAll();
  }
  async stats(): Promise<CacheStats> {
    return this.counters();
  }
}

/** The key options as the WebAssembly modules take them, after the checks JavaScript makes. */
type KeyOptionArgs = [prefix: string, version: string | undefined, selectAll: boolean, cacheWith: Uint32Array, serializer: string, maxKeyBytes: number];

function keyOptionArgs(options: KeyOptions): KeyOptionArgs {
  const { cacheWith, serializer = "repr", version, prefix = "", maxKeyBytes } = options;
  if (cacheWith !== undefined) {
    if (!Array.isArray(cacheWith) || !cacheWith.every((p) => Number.isInteger(p) && p >= 0 && p < 2 ** 32)) {
      throw new TypeError("cacheWith must be an array of parameter positions (whole numbers ≥ 0)");
    }
  }
  if (typeof serializer !== "string" && typeof serializer?.serialize !== "function") {
    throw new TypeError('serializer must be "repr", "md5", "sha256" or an object with a serialize(key) method');
  }
  return [
    String(prefix),
    version === undefined ? undefined : String(version),
    cacheWith === undefined,
    Uint32Array.from(cacheWith ?? []),
    typeof serializer === "string" ? serializer : "repr",
    maxKeyBytes ?? Number.NaN,
  ];
}

function keyOptions(options: KeyOptions): KeyOptionsJs {
  return new (keyModule().KeyOptionsJs)(...keyOptionArgs(options));
}

/** Bytes of WebAssembly memory the package uses (both modules, all storages together); it only grows, and a bounded cache keeps it bounded. */
export function wasmMemoryBytes(): number {
  return slotsMemoryBytes() + (keyModuleLoaded() ? keyModule().keysMemoryBytes() : 0);
}

/** The error to report for `error` thrown by a wasm call: a trap while the module's memory is
 * exhausted (e.g. passing a key in) becomes the clear out-of-memory `RangeError`. */
function boundaryError(error: unknown): unknown {
  if (!(error instanceof WebAssembly.RuntimeError) || !keyModuleLoaded()) return error;
  return keyModule().outOfMemoryError() ?? error;
}

/** The canonical key of a call to `name` with `args`: the same string every cashier binding builds. */
export function buildKey(name: string, args: readonly unknown[], options: KeyOptions = {}): string {
  if (!Array.isArray(args)) throw new TypeError("buildKey(name, args, options): args must be an array");
  const key = keyModule().buildKey(name, args as unknown[], keyOptions(options));
  return typeof options.serializer === "object" ? options.serializer.serialize(key) : key;
}

function isAsyncFunction(fn: Function): boolean {
  return fn.constructor?.name === "AsyncFunction" || fn.constructor?.name === "AsyncGeneratorFunction";
}

/** Map-key equality. */
function sameValueZero(a: unknown, b: unknown): boolean {
  return a === b || (a !== a && b !== b);
}

/** The argument-index key of a call without arguments. */
const NO_ARGUMENTS: unique symbol = Symbol("cashier.noArguments");
/** A UTF-16 string that is not well formed (a lone surrogate): not a key, so the converter says why. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Characters a key escapes as `\uXXXX`: up to six bytes each. */
const ESCAPED = /[\u0000-\u001f\u007f]/;

/** The key of a call in the last level of its argument index. */
function lastArgument(args: unknown[], positions: number[] | undefined): unknown {
  const count = positions ? positions.length : args.length;
  if (count === 0) return NO_ARGUMENTS;
  return positions ? args[positions[count - 1]!] : args[count - 1];
}

/** What the argument index holds for every argument of a call (no cacheWith), or undefined. */
function valueLookupAll(roots: (Level | undefined)[], args: unknown[]): Level | number | undefined {
  const count = args.length;
  let level = roots[count];
  if (level === undefined) return undefined;
  if (count === 0) return level.map.get(NO_ARGUMENTS);
  for (let i = 0; i < count - 1; i++) {
    const next = level.map.get(args[i]);
    if (next === undefined) return undefined;
    level = next as Level;
  }
  return level.map.get(args[count - 1]);
}

/** {@link valueLookupAll} for the arguments at `positions` (sorted). */
function valueLookup(positions: number[]): (roots: (Level | undefined)[], args: unknown[]) => Level | number | undefined {
  const count = positions.length;
  return (roots, args) => {
    let level = roots[count];
    if (level === undefined) return undefined;
    if (count === 0) return level.map.get(NO_ARGUMENTS);
    for (let i = 0; i < count - 1; i++) {
      const next = level.map.get(args[positions[i]!]);
      if (next === undefined) return undefined;
      level = next as Level;
    }
    return level.map.get(args[positions[count - 1]!]);
  };
}

/**
 * Whether a call's participating arguments can be indexed by value: all primitives the key
 * grammar accepts (no symbols, no lone surrogates) and, by a cautious estimate, a key within
 * `maxKeyBytes`. Anything else takes the key-string path, where the converter keys it or says
 * exactly why it cannot. Asked only on a miss.
 */
function keyableByValue(positions: number[] | undefined, maxKeyBytes: number): (args: unknown[]) => boolean {
  return (args) => {
    const count = positions ? positions.length : args.length;
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      const size = keyBytes(positions ? args[positions[i]!] : args[i]);
      if (size < 0) return false;
      bytes += size;
    }
    return bytes <= maxKeyBytes;
  };
}

/** At least the bytes `value` takes in a key, or -1 if the argument index cannot take it. */
function keyBytes(value: unknown): number {
  switch (typeof value) {
    case "number":
    case "boolean":
    case "undefined":
      return 25;
    case "string":
      if (LONE_SURROGATE.test(value)) return -1;
      return value.length * (ESCAPED.test(value) ? 6 : 3) + 3;
    case "bigint":
      return value.toString().length + 2;
    case "object":
      return value === null ? 5 : -1;
    default:
      return -1;
  }
}

/**
 * The repr key of a call whose participating arguments are all primitives, built without
 * leaving JS, or undefined for anything else. The canonical forms involved are JavaScript's own
 * — numbers are ECMAScript Number::toString, BigInts their decimal digits + "n", plain strings
 * quoted — so this is the core's encoding, not a second one; every shared vector checks that
 * both paths agree. Objects, strings needing escapes and keys that may exceed maxKeyBytes go
 * through wasm. `head` is the key's start, `{prefix}{label}(`.
 */
function primitiveKey(head: string, options: KeyOptions): (args: unknown[]) => string | undefined {
  const positions = options.cacheWith ? [...options.cacheWith].sort((a, b) => a - b) : undefined;
  const maxKeyChars = Math.floor((options.maxKeyBytes ?? DEFAULT_MAX_KEY_BYTES) / 3);
  return (args) => {
    let key = head;
    const count = positions ? positions.length : args.length;
    for (let i = 0; i < count; i++) {
      const value = positions ? args[positions[i]!] : args[i];
      if (i > 0) key += ",";
      switch (typeof value) {
        case "number":
          key += value;
          break;
        case "string":
          if (NEEDS_WASM.test(value)) return undefined;
          key += '"' + value + '"';
          break;
        case "boolean":
          key += value ? "true" : "false";
          break;
        case "undefined":
          key += "undefined";
          break;
        case "bigint":
          key += value + "n";
          break;
        case "object":
          if (value !== null) return undefined;
          key += "null";
          break;
        default:
          return undefined;
      }
    }
    key += ")";
    return key.length <= maxKeyChars ? key : undefined;
  };
}

/**
 * Memoizes `fn`. Calls with equal arguments (by value; see `core/KEYS.md`) share one stored
 * result until it expires or is evicted. Async functions share one pending promise per key:
 * concurrent callers get the same value or the same rejection, and a rejection caches nothing.
 */
export function memoize<F extends (...args: any[]) => any>(fn: F, options: MemoizeOptions & { storage: SharedAsyncStorage }): SharedMemoized<F>;
export function memoize<F extends (...args: any[]) => any>(fn: F, options?: MemoizeOptions): Memoized<F>;
export function memoize<F extends (...args: any[]) => any>(fn: F, options: MemoizeOptions = {}): Memoized<F> | SharedMemoized<F> {
  if (typeof fn !== "function") throw new TypeError("memoize(fn, options): fn must be a function");
  const isAsync = options.async === true || isAsyncFunction(fn);
  const given = options.storage;
  if (isSharedAsyncStorage(given)) return memoizeShared(fn, options, given, isAsync);
  if (given !== undefined) {
    if (!(given instanceof TTLMapStorage) && !(given instanceof TTLMapAsyncStorage)) {
      throw new TypeError("storage must be a TTLMapStorage, a TTLMapAsyncStorage, or an async storage with getOrCompute (RedisStorage, TieredStorage)");
    }
    if (isAsync && given instanceof TTLMapStorage) {
      throw new TypeError(`memoize: ${fn.name || "this function"} is async; give it a TTLMapAsyncStorage, not a TTLMapStorage`);
    }
    if (!isAsync && given instanceof TTLMapAsyncStorage) {
      throw new TypeError(`memoize: ${fn.name || "this function"} is synchronous; give it a TTLMapStorage, not a TTLMapAsyncStorage`);
    }
    if (options.maxSize !== undefined || options.clock !== undefined) {
      throw new TypeError("memoize: maxSize and clock belong to the shared storage; set them there");
    }
  }
  const name = options.name ?? fn.name;
  if (!name && given !== undefined) {
    throw new TypeError("memoize: an anonymous function sharing a storage needs a name (options.name)");
  }
  const storage: Storage =
    given ?? (isAsync ? new TTLMapAsyncStorage(options) : new TTLMapStorage(options));
  // Over a shared storage the function's own ttl applies; otherwise the storage's default does.
  const ttl = given !== undefined ? options.ttl : undefined;
  checkTtl(ttl);
  // The name and key options are checked now, by the small core module; the key builder (in
  // the key module) is made when a call first needs a key string.
  const optionArgs = keyOptionArgs(options);
  checkKeyOptions(name || "anonymous", ...optionArgs);
  let builder: WasmMemo | undefined;
  const memo = (): WasmMemo => (builder ??= new (keyModule().WasmMemo)(name || "anonymous", new (keyModule().KeyOptionsJs)(...optionArgs)));
  const { keyBuilder, serializer } = options;
  const custom = typeof keyBuilder === "function" || typeof serializer === "object";

  // The key of `args` under a custom keyBuilder or serializer object (slow path).
  const customKey = (args: unknown[]): string => {
    const key = keyBuilder ? keyBuilder(name, args) : memo().keyOf(args);
    const stored = typeof serializer === "object" ? serializer.serialize(key) : key;
    if (typeof stored !== "string") throw new TypeError("keyBuilder and serializer.serialize must return strings");
    return stored;
  };
  const fast = !custom && (options.serializer ?? "repr") === "repr";
  let primitive: ((args: unknown[]) => string | undefined) | undefined;
  const fastKey = (args: unknown[]) => (primitive ??= primitiveKey(memo().keyHead(), options))(args);
  const keyOf: (args: unknown[]) => string = custom
    ? customKey
    : fast
      ? (args) => fastKey(args) ?? memo().keyOf(args)
      : (args) => memo().keyOf(args);

  // A private cache with repr keys indexes calls with primitive arguments by the arguments
  // themselves (see Level); everything else, and every shared storage, by the key string.
  // (Hashed serializers keep string keys: V8 hashes strings with a secret seed, numbers not.)
  const byValue = fast && given === undefined;
  const positions = options.cacheWith ? [...options.cacheWith].sort((a, b) => a - b) : undefined;
  const lookupByValue = positions ? valueLookup(positions) : valueLookupAll;
  const keyable = keyableByValue(positions, (options.maxKeyBytes ?? DEFAULT_MAX_KEY_BYTES) - 3 * name.length - 64);

  // Where the latest lookup that found nothing would store: a level and its key there.
  let missLeaf: Level = storage.index;
  let missKey: unknown;
  const locate = (args: unknown[]): number => {
    if (byValue) {
      const found = storage.check(lookupByValue(storage.roots, args));
      if (found !== ABSENT) return found;
      if (keyable(args)) {
        missLeaf = storage.leafFor(args, positions);
        missKey = lastArgument(args, positions);
        return ABSENT;
      }
    }
    const key = keyOf(args);
    missLeaf = storage.index;
    missKey = key;
    return storage.check(storage.index.map.get(key));
  };

  /** Joins the pending computation a lookup found (`found` ≤ PENDING_BASE). */
  const join = (found: number): Promise<unknown> => {
    const flight = storage.values[PENDING_BASE - found] as Flight;
    const inside = flightContext?.getStore() ?? synchronousFlights;
    if (inside.includes(flight)) return Promise.reject(reentrant(name));
    storage.joined++;
    return flight.promise;
  };

  /**
   * A synchronous miss: runs `fn` (with `args`, or with the one argument `single`) and stores
   * its value at `leaf`/`key` unless a delete, set or clear came first. A same-key call from
   * inside the computation is an error.
   */
  const computeSync = (thisArg: unknown, leaf: Level, key: unknown, args: unknown[] | undefined, single: unknown): unknown => {
    if (storage.busyDepth > 0 && storage.isBusy(leaf, key)) {
      throw new Error(`memoize: ${name || "an anonymous function"} was called again with the same arguments while computing them (synchronous re-entrancy)`);
    }
    storage.misses++;
    const epoch = storage.epoch;
    storage.enter(leaf, key);
    let value: unknown;
    try {
      value = args === undefined ? fn.call(thisArg, single) : fn.apply(thisArg, args);
    } catch (error) {
      storage.leave(leaf, key, epoch, undefined, ttl, true);
      throw error;
    }
    try {
      storage.leave(leaf, key, epoch, value, ttl, false);
    } catch (error) {
      throw boundaryError(error);
    }
    return value;
  };

  let memoized: (this: unknown, ...args: unknown[]) => unknown;
  if (!isAsync) {
    memoized = function (this: unknown, ...args: unknown[]) {
      let found: number;
      try {
        found = locate(args);
      } catch (error) {
        throw boundaryError(error);
      }
      if (found >= 0) return storage.values[found];
      return computeSync(this, missLeaf, missKey, args, undefined);
    };
  } else {
    memoized = function (this: unknown, ...args: unknown[]) {
      let found: number;
      try {
        found = locate(args);
      } catch (error) {
        return Promise.reject(boundaryError(error));
      }
      if (found >= 0) return Promise.resolve(storage.values[found]);
      if (found !== ABSENT) return join(found);
      storage.misses++;
      let slot: number;
      try {
        slot = storage.begin(missLeaf, missKey);
      } catch (error) {
        storage.pruneFrom(missLeaf);
        return Promise.reject(boundaryError(error));
      }
      const serial = storage.serial();
      const flight: Flight = { serial, promise: undefined as unknown as Promise<unknown> };
      const lineage = [...(flightContext?.getStore() ?? synchronousFlights), flight];
      // Registered before `fn` runs, so a same-key call from inside it finds this flight.
      storage.values[slot] = flight;
      let started: Promise<unknown>;
      const outer = synchronousFlights;
      synchronousFlights = lineage;
      try {
        started = Promise.resolve(runInContext(lineage, () => fn.apply(this, args)));
      } catch (error) {
        leaveContext();
        storage.abandon(slot, serial);
        return Promise.reject(error);
      } finally {
        synchronousFlights = outer;
      }
      const promise = started.then(
        (value) => {
          leaveContext();
          storage.complete(slot, serial, value, ttl);
          return value;
        },
        (error) => {
          leaveContext();
          storage.abandon(slot, serial);
          throw error;
        },
      );
      flight.promise = promise;
      return promise;
    };
  }

  // Calls of one or two arguments on a private cache: no rest array, no key, no loop. Anything
  // else, and every miss but a synchronous one-argument miss, goes through the general wrapper.
  if (byValue && positions === undefined) {
    const general = memoized;
    const maxKeyBytes = (options.maxKeyBytes ?? DEFAULT_MAX_KEY_BYTES) - 3 * name.length - 64;
    const one = storage.rootOf(1).map;
    const two = storage.rootOf(2).map;
    const find = (count: number, a: unknown, b: unknown): number => {
      if (count === 1) return storage.check(one.get(a));
      const first = two.get(a);
      return first === undefined ? ABSENT : storage.check((first as Level).map.get(b));
    };
    memoized = isAsync
      ? function (this: unknown, a?: unknown, b?: unknown) {
          const count = arguments.length;
          if (count !== 1 && count !== 2) return general.apply(this, arguments as unknown as unknown[]);
          const found = find(count, a, b);
          if (found >= 0) return Promise.resolve(storage.values[found]);
          if (found !== ABSENT) return join(found);
          return general.apply(this, arguments as unknown as unknown[]);
        }
      : function (this: unknown, a?: unknown, b?: unknown) {
          const count = arguments.length;
          if (count !== 1 && count !== 2) return general.apply(this, arguments as unknown as unknown[]);
          const found = find(count, a, b);
          if (found >= 0) return storage.values[found];
          const size = count === 1 ? keyBytes(a) : -1;
          if (size < 0 || size > maxKeyBytes) return general.apply(this, arguments as unknown as unknown[]);
          return computeSync(this, storage.rootOf(1), a, undefined, a);
        };
  }

  /** Removes the entry (or cancels the computation) these arguments have. */
  const remove = (args: unknown[]): boolean => {
    if (byValue && keyable(args)) {
      const leaf = storage.leafFor(args, positions);
      const removed = storage.deleteAt(leaf, lastArgument(args, positions));
      storage.pruneFrom(leaf);
      return removed;
    }
    return storage.deleteKey(keyOf(args));
  };

  const cache: MemoCache<Parameters<F>> = {
    delete: (...args) => remove(args),
    clear: () => storage.clearAll(),
    keyOf: (...args) => keyOf(args),
    stats: () => storage.counters(),
  };
  return withCache(memoized, fn, cache) as Memoized<F>;
}

/** `memoized` dressed as `fn` (its name and length), with `.cache`. */
function withCache(memoized: Function, fn: Function, cache: object): unknown {
  Object.defineProperty(memoized, "cache", { value: cache, enumerable: true });
  Object.defineProperty(memoized, "name", { value: fn.name, configurable: true });
  Object.defineProperty(memoized, "length", { value: fn.length, configurable: true });
  return memoized;
}

/**
 * memoize over a storage outside the process: the key is built here, concurrent calls of one key
 * in this process share one promise, and the storage answers or computes (and, with a lock, makes
 * other processes wait for this one).
 */
function memoizeShared<F extends (...args: any[]) => any>(
  fn: F,
  options: MemoizeOptions,
  storage: SharedAsyncStorage,
  isAsync: boolean,
): SharedMemoized<F> {
  if (!isAsync) {
    throw new TypeError(
      `memoize: ${fn.name || "this function"} is synchronous; a storage outside the process answers with promises, so give it a TTLMapStorage (or declare it async)`,
    );
  }
  if (options.maxSize !== undefined || options.clock !== undefined) {
    throw new TypeError("memoize: maxSize and clock belong to the shared storage; set them there");
  }
  const name = options.name ?? fn.name;
  if (!name) throw new TypeError("memoize: an anonymous function sharing a storage needs a name (options.name)");
  const { keyBuilder, serializer, ttl } = options;
  const compiled = keyOptions(options);
  const fast = !keyBuilder && (serializer ?? "repr") === "repr";
  const keys = keyModule();
  const fastKey = fast ? primitiveKey(keys.keyHead(name, compiled), options) : () => undefined;
  const keyOf = (args: unknown[]): string => {
    const key = keyBuilder ? keyBuilder(name, args) : (fastKey(args) ?? keys.buildKey(name, args, compiled));
    const stored = typeof serializer === "object" ? serializer.serialize(key) : key;
    if (typeof stored !== "string") throw new TypeError("keyBuilder and serializer.serialize must return strings");
    return stored;
  };
  // Per-key dedup is the core's flight table; JS keeps each flight's promise by its slot.
  const [low, high] = randomSeed();
  const table = new keys.WasmFlights(low, high);
  const flights = new Map<number, Flight>();
  const peek = storage.peek;
  const memoized = function (this: unknown, ...args: unknown[]): Promise<unknown> {
    let key: string;
    let begun: number;
    try {
      key = keyOf(args);
      if (peek) {
        const found = peek.call(storage, key, NOT_FOUND);
        if (found !== NOT_FOUND) return Promise.resolve(found);
      }
      begun = table.begin(key);
    } catch (error) {
      return Promise.reject(boundaryError(error));
    }
    if (begun < 0) {
      const joined = flights.get(-begun - 1)!;
      const inside = flightContext?.getStore() ?? synchronousFlights;
      return inside.includes(joined) ? Promise.reject(reentrant(name)) : joined.promise;
    }
    const slot = begun;
    const flight: Flight = { serial: table.startedSerial(), promise: undefined as unknown as Promise<unknown> };
    const lineage = [...(flightContext?.getStore() ?? synchronousFlights), flight];
    const compute = () => {
      const outer = synchronousFlights;
      synchronousFlights = lineage;
      let result: unknown;
      try {
        result = runInContext(lineage, () => fn.apply(this, args));
      } catch (error) {
        leaveContext();
        throw error;
      } finally {
        synchronousFlights = outer;
      }
      Promise.resolve(result).then(leaveContext, leaveContext);
      return result;
    };
    // Registered before the storage runs `compute`, so a same-key call from inside finds it.
    flights.set(slot, flight);
    let answer: Promise<unknown>;
    try {
      answer = Promise.resolve(storage.getOrCompute(key, compute, ttl));
    } catch (error) {
      answer = Promise.reject(error); // a storage that throws instead of rejecting
    }
    flight.promise = answer.finally(() => {
      // A cancelled flight's slot may already belong to a newer one: only the owner releases it.
      if (table.finish(slot, flight.serial)) flights.delete(slot);
    });
    return flight.promise;
  };
  const cancel = (slot: number) => {
    if (slot >= 0) flights.delete(slot);
  };
  const cache: SharedMemoCache<Parameters<F>> = {
    delete: (...args) => {
      const key = keyOf(args);
      cancel(table.cancel(key));
      return storage.delete(key);
    },
    clear: () => {
      table.clear();
      flights.clear();
      return storage.clear();
    },
    keyOf: (...args) => keyOf(args),
    stats: () => storage.stats(),
  };
  return withCache(memoized, fn, cache) as SharedMemoized<F>;
}
