// The engine of a storage: the core's slots (recency, expiry, eviction, pending computations;
// WebAssembly) and what JavaScript keeps cheapest itself — the key → slot index and the values.
// Internal: the storage classes hold one each in a private field; its state is #private, and
// memoize's hit path reads it through the small methods below (inlined by the JIT).
//
// The index has three homes. A key string (every storage) is a key of `strings`. A private
// cache also indexes calls of one or two primitive arguments by the arguments themselves (Map
// keys compare by SameValueZero, which for primitives is exactly the canonical keys' equality:
// `1` ≠ `"1"` ≠ `1n`, `-0` = `0`, NaN = NaN), so a hit builds no key string:
// - one argument (or none: NO_ARGUMENTS): `ones`, argument → slot;
// - two arguments: `twos`, first argument → the slot, while exactly one entry has that first
//   argument (its second is kept per slot, in `seconds`, and compared on lookup), or → a Map
//   second argument → slot while several do;
// - three or more arguments: `manys[count]`, the same shape one level per argument as needed:
//   argument → the slot of the only entry continuing this way (its arguments kept per slot, in
//   `firsts`, and the rest compared on lookup), or → a Map of the next argument.
// The index is only ever navigated from these roots, after the core has made room: no level is
// held across an operation that can free slots, so an entry can never be linked into a level
// that was removed. Freeing a slot deletes its entry and collapses a two-entry level back to a
// slot.

import { runClock } from "./clock.js";
// A storage handle implies the core is instantiated: only its creation and the checks go through core().
import { slotsBegin, slotsCellsAt, slotsClear, slotsComplete, slotsExpire, slotsFail, slotsFlush, slotsFree, slotsInsert, slotsIsLive, slotsIsServable, slotsPlan, slotsPlanMisses, slotsRefresh, slotsRemove, slotsStats, wasmMemory } from "./wasm/cashier_js.js";
import { core } from "./wasm-core.js";
import { coreError } from "./core-error.js";

import type { CacheStats, StorageOptions } from "./storages.js";
// The cells, log and slot array shared with the core, generated from wasm/js/src/layout.rs.
import { CELLS, DEADLINES_AT, DEADLINES_LEN, FREED, FREED_COUNT, INSERT, JOINS, LOG, LOG_CAPACITY, MISSES, NO_SLOT, PENDING, PLAN, PLAN_CAPACITY, PREALLOCATED_SLOTS, SERIAL, SLOT_STRIDE, STALE_HITS, STATS, STAT_EVICTIONS, STAT_EXPIRATIONS, STAT_HITS, STAT_JOINED, STAT_MISSES, STAT_PENDING, STAT_SIZE, STAT_STALE_HITS, TIME_AT } from "./layout.js";

const DEFAULT_MAX_SIZE = 1000;

/** The first plan's length; each plan used up doubles it (to PLAN_CAPACITY). */
const FIRST_PLAN = 4;
/** @internal {@link Engine.check}: no live entry and nothing pending. */
export const ABSENT = -1;
/** @internal {@link Engine.check} results ≤ -3 are pending async computations: `-3 - slot`. */
export const PENDING_BASE = -3;
/** Stale-while-revalidate serves a stale value while an async refresh runs. */
const STALE_NEEDS_ASYNC = "staleWhileRevalidate serves stale values while an async refresh runs: use it with async functions (a TTLMapAsyncStorage)";

/** @internal {@link Engine.check} results ≤ STALE_BASE are stale values (past their deadline,
 * within the stale window): `STALE_BASE - slot`. Below every pending result. */
export const STALE_BASE = -(2 ** 33);

/** @internal The homes of a key in the index (see the module docs). */
export const BY_STRING = 0;
/** @internal */
export const BY_ONE = 1;
/** @internal */
export const BY_TWO = 2;
/** @internal */
export const BY_MANY = 3;
/** @internal */
export type Home = typeof BY_STRING | typeof BY_ONE | typeof BY_TWO | typeof BY_MANY;

/** @internal The `ones` key of a call without (participating) arguments: never an argument's. */
export const NO_ARGUMENTS: unique symbol = Symbol("cashier.noArguments");
/** `seconds` of a slot indexed in `strings` or `ones` (symbols are never indexed arguments). */
const IN_STRINGS: unique symbol = Symbol("cashier.inStrings");
const IN_ONES: unique symbol = Symbol("cashier.inOnes");
const IN_MANYS: unique symbol = Symbol("cashier.inManys");

/** A level of `manys`: an argument → a slot, or the level of the next argument. */
type Branch = Map<unknown, number | Branch>;

let memory: WebAssembly.Memory | undefined;
/** Frees a storage's slots in the core once its engine is unreachable (made on first need). */
let freeing: FinalizationRegistry<number> | undefined;

/** @internal A TTL must be undefined or a number; the core checks its value (a whole number of
 * milliseconds ≥ 1: the `RangeError` comes from there). */
export function checkTtl(ttl: unknown): void {
  if (ttl === undefined) return;
  if (typeof ttl !== "number") throw new TypeError(`ttl must be a number of milliseconds, got ${typeof ttl}`);
  if (core().checkTtl(ttl)) throw coreError();
}

/** A maxSize must be a number; the core checks its value when the storage is made. */
function checkMaxSize(maxSize: unknown): number {
  if (typeof maxSize !== "number") throw new TypeError(`maxSize must be a number of entries, got ${typeof maxSize}`);
  return maxSize;
}

/** Map-key equality. */
function sameValueZero(a: unknown, b: unknown): boolean {
  return a === b || (a !== a && b !== b);
}

/** Whether argument lists `a` and `b` (of one length) agree from position `from` on. */
function sameFrom(a: readonly unknown[], b: readonly unknown[], from: number): boolean {
  for (let i = from; i < a.length; i++) if (!sameValueZero(a[i], b[i])) return false;
  return true;
}

/** Whether two keys at `home` are one key (BY_MANY keys are argument lists). */
function sameKey(home: Home, first: unknown, second: unknown, otherFirst: unknown, otherSecond: unknown): boolean {
  if (home === BY_MANY) {
    const a = first as unknown[];
    const b = otherFirst as unknown[];
    return a.length === b.length && sameFrom(a, b, 0);
  }
  return sameValueZero(first, otherFirst) && sameValueZero(second, otherSecond);
}

/** @internal One storage's slots, index and values. */
export class Engine {
  /** The core's rules for this storage's slots: their handle (`slots*` calls take it). */
  readonly #slots: number;
  /** Key string → slot. */
  readonly #strings = new Map<string, number>();
  /** One argument (or NO_ARGUMENTS) → slot. */
  readonly #ones = new Map<unknown, number>();
  /** First of two arguments → the slot of the only entry with it, or second → slot. */
  readonly #twos = new Map<unknown, number | Map<unknown, number>>();
  /** By argument count (≥ 3): first argument → slot or the level of the second, and so on. */
  #manys: (Branch | undefined)[] = [];
  /** Per slot: its key string, its argument, its first argument, or its arguments (BY_MANY). */
  #firsts: unknown[] = [];
  /** Per slot: its second argument, or IN_STRINGS / IN_ONES / IN_MANYS. */
  #seconds: unknown[] = [];
  /** Per slot: its value, or the Flight of a pending async computation. */
  #values: unknown[] = [];
  /** Bumped by clear: a computation that started before stores nothing. */
  #epoch = 0;
  /** The synchronous computations running, innermost last: where each will store, and whether
   * a delete or set cancelled it. */
  readonly #busyHomes: Home[] = [];
  readonly #busyFirsts: unknown[] = [];
  readonly #busySeconds: unknown[] = [];
  readonly #busyCancelled: boolean[] = [];
  #busyDepth = 0;
  /** Views of the core's cells and slots (remade when memory grows or the slots move). */
  #cells!: Uint32Array;
  #deadlines!: Float64Array;
  /** How long after its deadline an entry is still served, stale, while it is refreshed (the
   * window the core was given: `staleWhileRevalidate`); 0: none. */
  readonly #staleWindow: number;
  /** The refreshes running, by slot (stale-while-revalidate): one per entry. A refresh stores
   * its value only if its slot still holds the same token when it settles. */
  readonly #refreshing = new Map<number, object>();
  /** The core's store time (one f64 it owns; see {@link now}). */
  #sharedTime!: Float64Array;
  /** Entries of the operation log (hits, planned inserts) not yet applied by the core. */
  #touched = 0;
  /** How many of them are planned inserts: all of them while no hit came between. */
  #logged = 0;
  /** The plan of the next inserts' slots in the cells: the next one to use, and its end. */
  #planned = 0;
  #planEnd = 0;
  #planSize = FIRST_PLAN;
  readonly #clock: () => number;
  /** Whether any entry may expire: the clock is read only then. */
  #timed: boolean;
  /** Whether async computations may hold pending slots here (TTLMapAsyncStorage). */
  readonly #computesAsync: boolean;
  /** Neither: every indexed slot is live, and a hit reads no deadline. */
  #everLive: boolean;

  constructor(options: StorageOptions = {}, computesAsync = false) {
    const { ttl, clock, staleWhileRevalidate } = options;
    if (staleWhileRevalidate !== undefined) {
      if (typeof staleWhileRevalidate !== "number") throw new TypeError(`staleWhileRevalidate must be a number of milliseconds, got ${typeof staleWhileRevalidate}`);
      if (!computesAsync) throw new TypeError(STALE_NEEDS_ASYNC);
    }
    const maxSize = checkMaxSize(options.maxSize ?? DEFAULT_MAX_SIZE);
    if (clock !== undefined && typeof clock !== "function") throw new TypeError("clock must be a function returning milliseconds");
    checkTtl(ttl);
    const handle = core().slotsNew(maxSize, ttl, staleWhileRevalidate);
    if (handle === 0) throw coreError();
    this.#slots = handle;
    if (typeof FinalizationRegistry === "function") (freeing ??= new FinalizationRegistry(slotsFree)).register(this, handle);
    this.#staleWindow = staleWhileRevalidate ?? 0;
    // Room for a full cache up front, as the core reserves its slots (PREALLOCATED_SLOTS).
    const slots = Math.min(maxSize, PREALLOCATED_SLOTS);
    this.#firsts = new Array(slots);
    this.#seconds = new Array(slots);
    this.#values = new Array(slots);
    this.#clock = clock ?? runClock;
    this.#timed = ttl !== undefined;
    this.#computesAsync = computesAsync;
    this.#everLive = !this.#timed && !computesAsync;
    this.#view();
  }

  /** What the index holds for a key, as a lookup: the slot of a live entry (its hit recorded),
   * ABSENT, or `-3 - slot` while an async computation is pending. An expired entry found is
   * freed. */
  check(found: number | undefined): number {
    if (found === undefined) return ABSENT;
    // Where nothing can expire or be pending, every indexed slot is a live entry.
    if (!this.#everLive) return this.#checkTimed(found);
    if (this.#cells.length === 0) this.#view();
    // The hit, logged (as #logHit does; written out here, where every hit passes, since V8 does
    // not always inline a private method two calls deep).
    const touched = this.#touched;
    this.#cells[LOG + touched] = found;
    this.#touched = touched + 1;
    if (touched + 1 === LOG_CAPACITY) this.#flushLog();
    return found;
  }

  /** {@link check} where entries may expire or be pending. Apart from {@link check}, whose
   * bytecode must stay small: the hit path inlines it, with the miss path, within V8's budget. */
  #checkTimed(found: number): number {
    let deadline = this.#deadlines[found * SLOT_STRIDE];
    if (deadline === undefined) {
      this.#view();
      deadline = this.#deadlines[found * SLOT_STRIDE]!;
    }
    if (deadline !== Infinity && !(deadline >= 0 && this.#now() < deadline)) return this.#checkNotLive(found, deadline);
    this.#logHit(found);
    return found;
  }

  /** {@link check} of an entry past its `deadline`, or pending. */
  #checkNotLive(found: number, deadline: number): number {
    if (deadline === PENDING) return PENDING_BASE - found;
    if (this.#staleWindow > 0 && this.#storeTime() < deadline + this.#staleWindow) {
      // Stale but servable: a hit for recency, counted stale by the core.
      this.#cells[STALE_HITS]! += 1;
      this.#logHit(found);
      return STALE_BASE - found;
    }
    if (slotsExpire(this.#slots, this.#takeTouched(), found, this.#storeTime())) this.#forget(found);
    return ABSENT;
  }

  /** Hands the full hit log to the core. */
  #flushLog(): void {
    slotsFlush(this.#slots, this.#takeTouched());
  }

  /** Logs a hit on `slot` for the core (applied, in order, before its next operation); the
   * views are current. Each #private field is read once: every access is a keyed load checked
   * against its name. */
  #logHit(slot: number): void {
    const touched = this.#touched;
    this.#cells[LOG + touched] = slot;
    this.#touched = touched + 1;
    if (touched + 1 === LOG_CAPACITY) this.#flushLog();
  }

  /** The value (or pending Flight) in `slot`: what a lookup found. */
  valueAt(slot: number): unknown {
    return this.#values[slot];
  }

  /** {@link check} of the entry for key string `key`. */
  lookupKey(key: string): number {
    return this.check(this.#strings.get(key));
  }

  /** {@link check} of a private cache's call of `count` (1 or 2) primitive arguments `a`, `b`,
   * read straight from the argument index. */
  lookupOneOrTwo(count: number, a: unknown, b: unknown): number {
    if (count === 1) return this.check(this.#ones.get(a));
    let found: number | undefined;
    const first = this.#twos.get(a);
    if (typeof first !== "number") {
      found = first?.get(b);
    } else {
      // The only entry with this first argument: its second is kept by slot.
      const second = this.#seconds[first];
      if (second === b || (second !== second && b !== b)) found = first;
    }
    // Two calls of check, not four, so that inlining them stays within V8's budget.
    return this.check(found);
  }

  /** The slot the index holds for a key at `home` (`second` only for BY_TWO; `first` is the
   * argument list for BY_MANY), or undefined. */
  find(home: Home, first: unknown, second: unknown): number | undefined {
    if (home === BY_STRING) return this.#strings.get(first as string);
    if (home === BY_ONE) return this.#ones.get(first);
    if (home === BY_MANY) return this.#findMany(first as unknown[]);
    const found = this.#twos.get(first);
    if (typeof found === "number") return sameValueZero(this.#seconds[found], second) ? found : undefined;
    return found?.get(second);
  }

  /** {@link find} for three or more arguments. */
  #findMany(args: readonly unknown[]): number | undefined {
    let level = this.#manys[args.length];
    for (let depth = 0; level !== undefined; depth++) {
      const found: number | Branch | undefined = level.get(args[depth]);
      if (typeof found === "number") return sameFrom(this.#firsts[found] as unknown[], args, depth + 1) ? found : undefined;
      level = found;
    }
    return undefined;
  }

  /** Whether `key` has a live entry (no hit recorded). */
  has(key: string): boolean {
    const slot = this.#strings.get(key);
    if (slot === undefined) return false;
    if (this.#everLive) return true;
    let deadline = this.#deadlines[slot * SLOT_STRIDE];
    if (deadline === undefined) {
      this.#view();
      deadline = this.#deadlines[slot * SLOT_STRIDE]!;
    }
    return deadline === Infinity || (deadline >= 0 && this.#now() < deadline + this.#staleWindow);
  }

  /** Reserves a pending slot for a key, holding `flight` (its serial is then {@link serial}). */
  begin(home: Home, first: unknown, second: unknown, flight: unknown): number {
    const slot = slotsBegin(this.#slots, this.#takeTouched());
    if (slot === NO_SLOT) throw coreError();
    this.#follow(slot);
    this.#link(slot, home, first, second, flight);
    return slot;
  }

  /** The serial of the slot the latest {@link begin} reserved. */
  serial(): number {
    return this.#cells[SERIAL]!;
  }

  /** Stores the value of pending slot `slot`/`serial`, unless it was deleted or cleared
   * meanwhile. */
  complete(slot: number, serial: number, value: unknown, ttl: number | undefined): void {
    const stored = slotsComplete(this.#slots, this.#takeTouched(), slot, serial, this.#time(ttl), ttl ?? Number.NaN);
    this.#dropFreed();
    if (stored) this.#values[slot] = value;
  }

  /** Frees pending slot `slot`/`serial` after its computation failed. */
  fail(slot: number, serial: number): void {
    if (slotsFail(this.#slots, this.#takeTouched(), slot, serial)) this.#forget(slot);
  }

  /** Stores `value` as a new entry for a key that has none. */
  insert(home: Home, first: unknown, second: unknown, value: unknown, ttl: number | undefined): void {
    // Where nothing can expire and no hit came since the core last looked, a new entry takes
    // the next planned slot without a call into WebAssembly: the core applies the logged
    // inserts, in order, before its next operation (see WasmSlots).
    if (ttl === undefined && this.#everLive && this.#touched === this.#logged && this.#touched < LOG_CAPACITY) {
      if (this.#planned === this.#planEnd) this.#plan();
      if (this.#planned < this.#planEnd) {
        let cells = this.#cells;
        if (cells.length === 0) {
          this.#view();
          cells = this.#cells;
        }
        const planned = cells[PLAN + this.#planned++]!;
        const slot = planned & 0x7fff_ffff;
        if (planned !== slot) this.#unindex(slot); // it evicts: the old entry leaves the index
        cells[LOG + this.#touched++] = slot + INSERT;
        this.#logged++;
        this.#link(slot, home, first, second, value);
        return;
      }
    }
    const slot = slotsInsert(this.#slots, this.#takeTouched(), this.#time(ttl), ttl ?? Number.NaN);
    if (slot === NO_SLOT) throw coreError();
    // The slots the core freed to make room (the new slot may be one of them), then the view.
    let cells = this.#cells;
    if (cells.length === 0) {
      this.#view();
      cells = this.#cells;
    }
    const count = cells[FREED_COUNT]!;
    for (let i = 0; i < count; i++) {
      const freed = cells[FREED + i]!;
      // The slot reused at once keeps its array places: link overwrites them.
      if (freed === slot) this.#unindex(freed);
      else this.#forget(freed);
    }
    if (slot * SLOT_STRIDE >= this.#deadlines.length || cells[DEADLINES_AT] !== this.#deadlines.byteOffset) this.#view();
    // Only now, with room made, is the index navigated: the key's place is found from the root.
    this.#link(slot, home, first, second, value);
  }

  /** Bumped by every clear: a computation started in an older epoch stores nothing. */
  get epoch(): number {
    return this.#epoch;
  }

  /** Whether a synchronous computation of a key is running. */
  isBusy(home: Home, first: unknown, second: unknown): boolean {
    const depth = this.#busyDepth;
    if (depth === 0) return false;
    for (let i = 0; i < depth; i++) {
      if (this.#busyHomes[i] === home && sameKey(home, first, second, this.#busyFirsts[i], this.#busySeconds[i])) return true;
    }
    return false;
  }

  /** Starts a synchronous computation of a key. */
  enter(home: Home, first: unknown, second: unknown): void {
    const depth = this.#busyDepth++;
    this.#busyHomes[depth] = home;
    this.#busyFirsts[depth] = first;
    this.#busySeconds[depth] = second;
    this.#busyCancelled[depth] = false;
  }

  /** Ends the innermost synchronous computation (of a key, started in `epoch`): stores `value`
   * unless it failed or the key was deleted, set or cleared meanwhile. */
  leave(home: Home, first: unknown, second: unknown, epoch: number, value: unknown, ttl: number | undefined, failed: boolean): void {
    const depth = --this.#busyDepth;
    const cancelled = this.#busyCancelled[depth];
    // Keep no argument alive.
    this.#busyFirsts[depth] = undefined;
    this.#busySeconds[depth] = undefined;
    if (!failed && !cancelled && epoch === this.#epoch) this.insert(home, first, second, value, ttl);
  }

  /** Cancels a running synchronous computation of a key, if any. */
  #cancelBusy(home: Home, first: unknown, second: unknown): void {
    for (let i = this.#busyDepth - 1; i >= 0; i--) {
      if (this.#busyHomes[i] === home && sameKey(home, first, second, this.#busyFirsts[i], this.#busySeconds[i])) this.#busyCancelled[i] = true;
    }
  }

  /** The live value for `key`, or `missing`. */
  getValue(key: string, missing: unknown): unknown {
    const slot = this.check(this.#strings.get(key));
    if (slot >= 0) return this.#values[slot];
    if (slot <= STALE_BASE) return this.#values[STALE_BASE - slot];
    this.countMiss();
    return missing;
  }

  /** Reports a miss to the core, which counts it at its next operation (every counter is the
   * core's; JavaScript only reports what it saw without calling in, as it logs hits). */
  countMiss(): void {
    if (this.#cells.length === 0) this.#view();
    this.#cells[MISSES]! += 1;
  }

  /** Reports a caller that joined a pending computation (a hit and a join for the core). */
  countJoin(): void {
    if (this.#cells.length === 0) this.#view();
    this.#cells[JOINS]! += 1;
  }

  /** Stores `value` for `key` with its own `ttl` or the default. */
  setValue(key: string, value: unknown, ttl?: number): void {
    checkTtl(ttl);
    if (this.#busyDepth > 0) this.#cancelBusy(BY_STRING, key, undefined);
    const existing = this.#strings.get(key);
    if (existing !== undefined) {
      if (slotsRefresh(this.#slots, this.#takeTouched(), existing, this.#time(ttl), ttl ?? Number.NaN)) {
        this.#values[existing] = value;
        // The value set wins over a refresh running for the key.
        if (this.#refreshing.size > 0) this.#refreshing.delete(existing);
        return;
      }
      // A pending computation's slot: the value set wins, the computation stores nothing.
      slotsRemove(this.#slots, 0, existing, this.#storeTime());
      this.#forget(existing);
    }
    this.insert(BY_STRING, key, undefined, value, ttl);
  }

  /** A token for the one refresh of the stale entry in `slot` (stale-while-revalidate), or
   * undefined while one runs. */
  startRefresh(slot: number): object | undefined {
    if (this.#refreshing.has(slot)) return undefined;
    const token = {};
    this.#refreshing.set(slot, token);
    return token;
  }

  /** Stores the value of the refresh `token` of `slot` (stale-while-revalidate), fresh for
   * `ttl`, unless a delete, set, clear or the end of the stale window came first. */
  refreshed(slot: number, token: object, value: unknown, ttl: number | undefined): void {
    if (this.#refreshing.get(slot) !== token) return;
    this.#refreshing.delete(slot);
    if (slotsRefresh(this.#slots, this.#takeTouched(), slot, this.#time(ttl), ttl ?? Number.NaN)) this.#values[slot] = value;
  }

  /** The refresh `token` of `slot` failed: the stale value stays until its window ends, and
   * the next stale hit starts another refresh. */
  refreshFailed(slot: number, token: object): void {
    if (this.#refreshing.get(slot) === token) this.#refreshing.delete(slot);
  }

  /** Removes `key` (cancelling a pending computation); true if a live value was removed. */
  deleteKey(key: string): boolean {
    return this.deleteAt(BY_STRING, key, undefined);
  }

  /** Removes what the index holds for a key. */
  deleteAt(home: Home, first: unknown, second: unknown): boolean {
    if (this.#busyDepth > 0) this.#cancelBusy(home, first, second);
    const found = this.find(home, first, second);
    if (found === undefined) return false;
    const live = slotsRemove(this.#slots, this.#takeTouched(), found, this.#time(undefined));
    this.#forget(found);
    return live;
  }

  /** Removes every entry and cancels every pending computation, in O(1). */
  clearAll(): void {
    // The hits logged so far still count (the core applies the log first), then everything goes.
    slotsFlush(this.#slots, this.#takeTouched());
    slotsClear(this.#slots);
    this.#epoch++;
    this.#refreshing.clear();
    // The roots stay (memoized functions keep them); emptying a Map is O(1) in V8.
    this.#strings.clear();
    this.#ones.clear();
    this.#twos.clear();
    this.#manys = [];
    this.#firsts = [];
    this.#seconds = [];
    this.#values = [];
  }

  /** The counters: the core's, with the synchronous computations under way as pending. */
  counters(): CacheStats {
    const at = slotsStats(this.#slots, this.#takeTouched(), this.#busyDepth);
    const stats = new Float64Array((memory ??= wasmMemory()).buffer, at, STATS);
    return {
      hits: stats[STAT_HITS]!,
      staleHits: stats[STAT_STALE_HITS]!,
      misses: stats[STAT_MISSES]!,
      joined: stats[STAT_JOINED]!,
      evictions: stats[STAT_EVICTIONS]!,
      expirations: stats[STAT_EXPIRATIONS]!,
      size: stats[STAT_SIZE]!,
      pending: stats[STAT_PENDING]!,
    };
  }


  /** For tests that pin the hit path to the core: the key strings indexed and their slots. */
  keySlots(): [string, number][] {
    return [...this.#strings];
  }

  /** For tests: the core's own decision whether `slot` is live (or, with `servable`, may be
   * served, stale included) at `now`. */
  coreDecides(slot: number, now: number, servable: boolean): boolean {
    const touched = this.#takeTouched();
    return servable ? slotsIsServable(this.#slots, touched, slot, now) : slotsIsLive(this.#slots, touched, slot, now);
  }

  /** For tests: planned insert slots the core found taken (0 when every plan held). */
  planMisses(): number {
    return slotsPlanMisses(this.#slots);
  }

  /** Indexes `slot` under its key, found from the root, and stores its value. */
  #link(slot: number, home: Home, first: unknown, second: unknown, value: unknown): void {
    this.#firsts[slot] = first;
    this.#values[slot] = value;
    if (home === BY_STRING) {
      this.#strings.set(first as string, slot);
      this.#seconds[slot] = IN_STRINGS;
      return;
    }
    if (home === BY_ONE) {
      this.#ones.set(first, slot);
      this.#seconds[slot] = IN_ONES;
      return;
    }
    if (home === BY_MANY) {
      this.#seconds[slot] = IN_MANYS;
      this.#linkMany(slot, first as unknown[]);
      return;
    }
    this.#seconds[slot] = second;
    const found = this.#twos.get(first);
    if (found === undefined) {
      this.#twos.set(first, slot);
    } else if (typeof found !== "number") {
      found.set(second, slot);
    } else if (found === slot || sameValueZero(this.#seconds[found], second)) {
      this.#twos.set(first, slot); // (a key never has two slots: the old one was freed first)
    } else {
      // A second entry with this first argument: the level of second arguments.
      this.#twos.set(first, new Map<unknown, number>([[this.#seconds[found], found], [second, slot]]));
    }
  }

  /** Indexes `slot` under the arguments `args` (three or more) in `manys`. */
  #linkMany(slot: number, args: readonly unknown[]): void {
    let level: Branch | undefined = this.#manys[args.length];
    if (level === undefined) this.#manys[args.length] = level = new Map();
    for (let depth = 0; ; depth++) {
      const argument = args[depth];
      const found: number | Branch | undefined = level.get(argument);
      if (found === undefined) {
        level.set(argument, slot);
        return;
      }
      if (typeof found !== "number") {
        level = found;
        continue;
      }
      const other = this.#firsts[found] as unknown[];
      if (found === slot || sameFrom(other, args, depth + 1)) {
        level.set(argument, slot); // (a key never has two slots: the old one was freed first)
        return;
      }
      // Another entry continues this way: a level of the next argument, holding it.
      const next: Branch = new Map([[other[depth + 1], found]]);
      level.set(argument, next);
      level = next;
    }
  }

  /** Deletes `slot` (indexed under `args`) from `manys`, collapsing each level it leaves with a
   * single slot back into that slot. */
  #unindexMany(slot: number, args: readonly unknown[]): void {
    const levels: Branch[] = [];
    let level = this.#manys[args.length];
    for (let depth = 0; level !== undefined; depth++) {
      const found: number | Branch | undefined = level.get(args[depth]);
      levels.push(level);
      if (found === slot) {
        level.delete(args[depth]);
        break;
      }
      if (typeof found !== "object") return;
      level = found;
    }
    for (let depth = levels.length - 1; depth > 0; depth--) {
      const emptied = levels[depth]!;
      const parent = levels[depth - 1]!;
      if (emptied.size === 0) {
        parent.delete(args[depth - 1]);
        continue;
      }
      if (emptied.size !== 1) return;
      const [only] = emptied.values();
      if (typeof only !== "number") return;
      parent.set(args[depth - 1], only);
    }
  }

  /** Store time for an operation storing with `ttl`: the clock is read only if something can expire. */
  #time(ttl: number | undefined): number {
    if (ttl !== undefined && !this.#timed) {
      this.#timed = true;
      this.#everLive = false;
    }
    return this.#timed ? this.#now() : this.#storeTime();
  }

  /** Store time, read from the clock: the core's store time (a shared cell), advanced to the
   * reading when the clock reads later — a reading that is earlier, throws, or is not a finite
   * number ≥ 0 leaves it where it is (time never runs backwards). The core observes what is
   * recorded here at its next operation, as it applies logged hits. */
  #now(): number {
    let reading: unknown;
    try {
      reading = this.#clock();
    } catch {
      return this.#storeTime();
    }
    let shared = this.#sharedTime;
    if (shared.length === 0) {
      this.#view();
      shared = this.#sharedTime;
    }
    const latest = shared[0]!;
    if (typeof reading === "number" && reading > latest && reading < Infinity) {
      const now = Math.floor(reading);
      shared[0] = now;
      return now;
    }
    return latest;
  }

  /** The core's store time, without reading the clock. */
  #storeTime(): number {
    if (this.#sharedTime.length === 0) this.#view();
    return this.#sharedTime[0]!;
  }

  /** The number of log entries for the core's next operation to apply first; the plan ends
   * with it (a plan cut short by anything but inserts makes the next one short too). */
  #takeTouched(): number {
    const touched = this.#touched;
    this.#touched = 0;
    this.#logged = 0;
    if (this.#planned < this.#planEnd) this.#planSize = FIRST_PLAN;
    this.#planned = this.#planEnd = 0;
    return touched;
  }

  /** Asks the core for the next inserts' slots (applying the log first). */
  #plan(): void {
    const used = this.#planEnd > 0 && this.#planned === this.#planEnd;
    const size = used ? Math.min(this.#planSize * 2, PLAN_CAPACITY) : this.#planSize;
    const listed = slotsPlan(this.#slots, this.#takeTouched(), size);
    this.#planSize = size;
    this.#planEnd = listed;
  }

  /** Drops what this side holds for the slots the core's latest operation freed. */
  #dropFreed(): void {
    if (this.#cells.length === 0) this.#view();
    const count = this.#cells[FREED_COUNT]!;
    for (let i = 0; i < count; i++) this.#forget(this.#cells[FREED + i]!);
  }

  /** Drops what this side holds for a freed slot. */
  #forget(slot: number): void {
    if (this.#refreshing.size > 0) this.#refreshing.delete(slot);
    this.#unindex(slot);
    this.#firsts[slot] = undefined;
    this.#seconds[slot] = undefined;
    this.#values[slot] = undefined;
  }

  /** Deletes a freed slot's index entry, found from the root (a slot's key maps to it for as
   * long as the slot is held: replacing, expiring and cancelling free the old slot first); a
   * level of second arguments left with one entry collapses back to that entry's slot. */
  #unindex(slot: number): void {
    const first = this.#firsts[slot];
    const second = this.#seconds[slot];
    if (second === IN_ONES) {
      this.#ones.delete(first);
      return;
    }
    if (second === IN_STRINGS) {
      this.#strings.delete(first as string);
      return;
    }
    if (second === IN_MANYS) {
      this.#unindexMany(slot, first as unknown[]);
      return;
    }
    const found = this.#twos.get(first);
    if (found === slot) {
      this.#twos.delete(first);
    } else if (typeof found === "object" && found.get(second) === slot) {
      found.delete(second);
      if (found.size === 1) {
        for (const only of found.values()) this.#twos.set(first, only);
      }
    }
  }

  /** Remakes the views if `slot` is beyond them, the deadlines moved or memory grew. */
  #follow(slot: number): void {
    if (slot * SLOT_STRIDE >= this.#deadlines.length || this.#cells.length === 0 || this.#cells[DEADLINES_AT] !== this.#deadlines.byteOffset) this.#view();
  }

  #view(): void {
    memory ??= wasmMemory();
    const buffer = memory.buffer;
    this.#cells = new Uint32Array(buffer, slotsCellsAt(this.#slots), CELLS);
    // Slot i's deadline is the f64 at 16 × i (the core's SlotNode layout).
    this.#deadlines = new Float64Array(buffer, this.#cells[DEADLINES_AT]!, this.#cells[DEADLINES_LEN]! * SLOT_STRIDE);
    this.#sharedTime = new Float64Array(buffer, this.#cells[TIME_AT]!, 1);
  }
}
