// The model test of the public npm API: random operation sequences run against the built
// package and, in lockstep, against a plain JavaScript reference model written from README.md
// ("What cashier does" and the JavaScript section). After every operation the test compares
// which underlying invocations ran (function and canonical arguments, in order), every value a
// call returned (by identity), every error (by identity; re-entrancy errors by kind), the state
// of every promise a call returned, and — at `stats` operations, and after every step in half of
// the sequences — every storage's counters.
//
// What runs: 0-, 1-, 2- and 3-argument private caches (sync and async; primitives, -0/NaN, short
// strings, small objects and arrays built fresh for every call, in varying property order;
// repr keys, indexed by argument value, and md5/sha256 keys, indexed by key string), `cacheWith`
// (keyable values at excluded positions, and in defect 2's regime class instances, cycles and
// functions), shared `TTLMapStorage` / `TTLMapAsyncStorage` holding several functions, versions,
// two functions with one name and two prefix/name pairs that meet (which share entries), a
// hashed-key function, storage get/set/has/delete/bumpVersion, TTLs
// (storage defaults and per-function) on an injected clock that jumps forwards, backwards and
// to NaN, delete/clear from outside and from inside computations, async computations settled
// explicitly by the test (deferreds: joins are deterministic), rejections, and re-entrancy (a
// same-key call in the synchronous part of a computation, after an await of it, and from a timer
// it only starts).
//
// The reference model (ModelStore below) states the documented semantics directly:
// - LRU: a hit or a refresh makes an entry the most recently used; a new entry in a full cache
//   evicts the least recently used one. Pending async computations hold no place in the order
//   and do not count against maxSize.
// - TTL: an entry stored at store time t with ttl d is live while `now < t + d`; an expired
//   entry is never served. Store time is the largest clock reading the storage has taken (a
//   clock running backwards, or returning NaN, holds it); the storage reads the clock when it
//   needs the time: a lookup that finds an entry with a deadline, storing a value while any TTL
//   is in play (an async computation's end included, even one cancelled meanwhile), a delete or
//   has that finds an entry, a set.
// - Dedup: a lookup finding a pending computation joins it (shares its value or its rejection);
//   a rejection stores nothing. delete/clear/set during a computation cancel it: its callers
//   still get its result, but it is not stored. `undefined` is a cached value. A synchronous
//   exception is not cached. A same-key call from inside the computation is an Error
//   (synchronous part, and across awaits where AsyncLocalStorage exists); a call from a timer
//   the computation merely starts is an ordinary caller and joins.
// - Counters (the core's rules, core/src/slots.rs, modelled exactly): hits = entries served +
//   joins; misses = computations started (+ storage.get misses); joined = joins; evictions =
//   live entries dropped for room; expirations = entries freed because their deadline passed,
//   found on access, found at the eviction end (an expired LRU victim counts as an expiration,
//   not an eviction), or found by the sweep: every new entry first examines two slots
//   round-robin. Which entries the sweep examines depends on slot numbers, and whether it frees
//   an expired entry decides whether a live one is evicted (observable: which calls run again),
//   so the model numbers slots as the core does (a freed slot is reused last-in first-out, new
//   slots are appended, clear renumbers from 0). size counts ready entries, expired ones not yet
//   reached included; pending = async computations pending + synchronous ones running. No
//   counter is bounded instead of compared: all are exact.
//
// Regimes (REGIMES below): each known defect has its own, so that each fix flips one entry of
// KNOWN_DEFECT_REGIMES (a regime listed there runs as a node:test `todo`: reported with its
// shrunk failure, never silently skipped, and not failing the suite). On a failure the sequence
// is shrunk (ops removed, then actions inside calls) while the same kind of mismatch remains, and
// the test prints the seed, the regime, the functions used and the minimal operation list.
// Reproduce with
//   MODEL_REGIME="<regime>" MODEL_SEED=<seed> node --test js/test/model.test.mjs
// MODEL_SEEDS / MODEL_OPS change the number of sequences (default 200) and their length (200);
// MODEL_KEEP_GOING=n reports up to n+1 failing seeds instead of stopping at the first (to look
// past a known defect). Each passing run prints what it exercised (counter totals).
import { test } from "node:test";
import { memoize, TTLMapStorage, TTLMapAsyncStorage } from "cashier-wasm";

/**
 * Regimes that fail on the code as it is, with the defects each shows. Delete a regime's line
 * once the fixes of all the defects it names have merged: it then runs as an ordinary test.
 */
const KNOWN_DEFECT_REGIMES = {};

/**
 * README: async re-entrancy is "detected across awaits on Node ... and on Deno and Bun". Settle
 * operations check it: a computation resumed after its await that awaits a call of its own key
 * must get the re-entrancy Error, not wait for itself. (Defect 3's fix must keep this while
 * letting a timer's call join; if the contract changes instead, set this to false.)
 */
const CHECK_REENTRANCY_ACROSS_AWAITS = true;

const SEEDS = Number(process.env.MODEL_SEEDS ?? 200);
const OPS = Number(process.env.MODEL_OPS ?? 200);

// ---------------------------------------------------------------------------------------------
// Seeded randomness (sfc32).

function prng(seed) {
  let a = 0x9e3779b9, b = 0x243f6a88, c = 0xb7e15162, d = seed >>> 0;
  const next = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (a + b + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  const rng = {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
    sample: (list, n) => {
      const copy = [...list];
      const out = [];
      while (out.length < n && copy.length > 0) out.push(copy.splice(Math.floor(next() * copy.length), 1)[0]);
      return out;
    },
  };
  return rng;
}

// ---------------------------------------------------------------------------------------------
// Arguments: tokens, each built fresh for every call (objects are new objects every time).

class Db {
  constructor() {
    this.connection = Math.random();
  }
}

const BUILD = {
  "0": () => 0,
  "-0": () => -0,
  "1": () => 1,
  "2.5": () => 2.5,
  NaN: () => Number.NaN,
  '""': () => "",
  '"a"': () => "a",
  '"1"': () => "1",
  '"a,b"': () => "a,b",
  '"q\\""': () => 'q"',
  null: () => null,
  undefined: () => undefined,
  true: () => true,
  "1n": () => 1n,
  "{a:1,b:2}": () => ({ a: 1, b: 2 }),
  "{b:2,a:1}": () => ({ b: 2, a: 1 }),
  "{a:1}": () => ({ a: 1 }),
  '{a:"1"}': () => ({ a: "1" }),
  "[1,2]": () => [1, 2],
  "[2,1]": () => [2, 1],
  "[]": () => [],
  "{}": () => ({}),
  "[NaN,-0]": () => [Number.NaN, -0],
  "[NaN,0]": () => [0 / 0, 0],
  "{n:{x:-0,y:[]}}": () => ({ n: { x: -0, y: [] } }),
  "{n:{y:[],x:0}}": () => ({ n: { y: [], x: 0 } }),
  // Only at positions cacheWith leaves out: no key can hold them.
  db: () => new Db(),
  cyclic: () => {
    const o = { name: "cyclic" };
    o.self = o;
    return o;
  },
  fn: () => () => 0,
};
const PRIMITIVES = ["0", "-0", "1", "2.5", "NaN", '""', '"a"', '"1"', '"a,b"', '"q\\""', "null", "undefined", "true", "1n"];
const OBJECTS = ["{a:1,b:2}", "{b:2,a:1}", "{a:1}", '{a:"1"}', "[1,2]", "[2,1]", "[]", "{}", "[NaN,-0]", "[NaN,0]", "{n:{x:-0,y:[]}}", "{n:{y:[],x:0}}"];
const UNKEYABLE = ["db", "cyclic", "fn"];
/** Tokens that build canonically equal values. */
const TWINS = { "0": "-0", "-0": "0", "{a:1,b:2}": "{b:2,a:1}", "{b:2,a:1}": "{a:1,b:2}", "[NaN,-0]": "[NaN,0]", "[NaN,0]": "[NaN,-0]", "{n:{x:-0,y:[]}}": "{n:{y:[],x:0}}", "{n:{y:[],x:0}}": "{n:{x:-0,y:[]}}" };

const build = (tokens) => tokens.map((token) => BUILD[token]());

/** The model's canonical form of a value of the domain (KEYS.md's equality, independently written). */
function canon(value) {
  if (value === null) return "null";
  switch (typeof value) {
    case "undefined":
      return "undef";
    case "boolean":
      return value ? "T" : "F";
    case "number":
      return "n" + (Object.is(value, -0) ? "0" : String(value));
    case "bigint":
      return "i" + value;
    case "string":
      return "s" + JSON.stringify(value);
    case "object":
      if (Array.isArray(value)) return "[" + value.map(canon).join(",") + "]";
      if (Object.getPrototypeOf(value) === Object.prototype) {
        return "{" + Object.keys(value).sort().map((k) => JSON.stringify(k) + ":" + canon(value[k])).join(",") + "}";
      }
  }
  throw new Error(`model: ${String(value)} is outside the test's domain`);
}

/** Positions of a handle's arguments that take part in its key (cacheWith sorted, or all). */
const participating = (h, args) => (h.cacheWith ? [...h.cacheWith].sort((a, b) => a - b) : [...args.keys()]);

/** The canonical arguments of a call (participating positions only). */
const canonArgs = (h, args) => participating(h, args).map((i) => canon(args[i])).join(",");

/**
 * What a handle's keys start with. Under "repr" the prefix is written before the name, so prefix
 * "a" + name "bc" and prefix "ab" + name "c" meet (KEYS.md); a hashed key digests the label
 * without the prefix, so there they do not.
 */
const labelOf = (h) => {
  const serializer = h.serializer ?? "repr";
  const prefix = h.prefix ?? "";
  return serializer === "repr" ? `repr|${prefix}${h.name}@${h.version ?? ""}` : `${serializer}|${prefix}|${h.name}@${h.version ?? ""}`;
};

/** The model's key of a call: serializer, prefix, name, version, participating arguments. */
const modelKey = (h, args) => `${labelOf(h)}(${canonArgs(h, args)})`;

// ---------------------------------------------------------------------------------------------
// The reference model.

const LATEST_DEADLINE = 2 ** 53;

/** A storage: TTL + LRU with dedup of pending computations, stats, and the core's slot numbers. */
class ModelStore {
  constructor(model, { maxSize, ttl }) {
    this.model = model;
    this.maxSize = maxSize;
    this.defaultTtl = ttl;
    this.timed = ttl !== undefined;
    this.floor = 0;
    this.ttlSeen = false;
    this.hits = 0;
    this.misses = 0;
    this.joined = 0;
    this.evictions = 0;
    this.expirations = 0;
    /** Synchronous computations running: their key, whether cancelled, the clear epoch. */
    this.busy = [];
    this.epoch = 0;
    this.reset();
  }

  reset() {
    /** Per slot: undefined (free) or { state: "ready" | "pending", key, deadline, ref, flight }. */
    this.slots = [];
    this.free = [];
    this.cursor = 0;
    this.ready = 0;
    this.pending = 0;
    /** Ready slots, least recently used first. */
    this.order = new Map();
    /** Key → slot. */
    this.index = new Map();
  }

  /** The clock, as the storage reads it: store time only moves forwards. */
  read() {
    const reading = this.model.clock();
    if (typeof reading === "number" && reading > this.floor && reading < Infinity) this.floor = Math.floor(reading);
    return this.floor;
  }

  /** Store time for storing with `ttl`: the clock is read while any TTL is in play. */
  storeTime(ttl) {
    if (ttl !== undefined) this.timed = true;
    return this.timed ? this.read() : this.floor;
  }

  deadline(now, ttl) {
    const effective = ttl ?? this.defaultTtl;
    if (effective === undefined) return Infinity;
    this.ttlSeen = true;
    return Math.min(now + effective, LATEST_DEADLINE);
  }

  allocate() {
    return this.free.length > 0 ? this.free.pop() : this.slots.push(undefined) - 1;
  }

  release(slot) {
    this.slots[slot] = undefined;
    this.free.push(slot);
  }

  unlink(slot) {
    this.order.delete(slot);
    this.ready--;
  }

  touch(slot) {
    this.hits++;
    this.order.delete(slot);
    this.order.set(slot, true);
  }

  /** Frees a ready slot and its key. */
  drop(slot) {
    this.index.delete(this.slots[slot].key);
    this.unlink(slot);
    this.release(slot);
  }

  /** What a lookup finds: { hit, ref } / { pending, slot } / {} (an expired entry is freed). */
  lookup(key) {
    const slot = this.index.get(key);
    if (slot === undefined) return {};
    const entry = this.slots[slot];
    if (entry.state === "pending") return { pending: true, slot };
    if (entry.deadline === Infinity || this.read() < entry.deadline) {
      this.touch(slot);
      return { hit: true, ref: entry.ref };
    }
    this.expirations++;
    this.drop(slot);
    return {};
  }

  /** Before a new entry: sweep two slots, then evict the least recently used if full. */
  makeRoom(now) {
    if (this.ttlSeen && this.ready > 0) {
      for (let i = 0; i < 2; i++) {
        if (this.cursor >= this.slots.length) this.cursor = 0;
        const slot = this.cursor++;
        const entry = this.slots[slot];
        if (entry?.state === "ready" && now >= entry.deadline) {
          this.expirations++;
          this.drop(slot);
        }
      }
    }
    if (this.ready >= this.maxSize) {
      const victim = this.order.keys().next().value;
      if (victim === undefined) return;
      if (now < this.slots[victim].deadline) this.evictions++;
      else this.expirations++;
      this.drop(victim);
    }
  }

  linkReady(slot, now, ttl) {
    this.ready++;
    this.slots[slot].state = "ready";
    this.slots[slot].deadline = this.deadline(now, ttl);
    this.order.set(slot, true);
  }

  insert(key, ref, ttl) {
    const now = this.storeTime(ttl);
    this.makeRoom(now);
    const slot = this.allocate();
    this.slots[slot] = { state: "pending", key, ref };
    this.linkReady(slot, now, ttl);
    this.index.set(key, slot);
  }

  begin(key, flight) {
    const slot = this.allocate();
    this.slots[slot] = { state: "pending", key, flight };
    this.pending++;
    this.index.set(key, slot);
    return slot;
  }

  /** A computation ended with a value: store time is read (cancelled or not), the value stored if the flight is still valid. */
  complete(flight, ref, ttl) {
    const now = this.storeTime(ttl);
    if (!flight.valid) return;
    this.makeRoom(now);
    this.pending--;
    this.slots[flight.slot].ref = ref;
    this.slots[flight.slot].flight = undefined;
    this.linkReady(flight.slot, now, ttl);
    flight.valid = false;
  }

  abandon(flight) {
    this.pending--;
    this.index.delete(flight.key);
    this.release(flight.slot);
    flight.valid = false;
  }

  cancelBusy(key) {
    for (const computation of this.busy) if (computation.key === key) computation.cancelled = true;
  }

  /** Removes a key's entry or cancels its pending computation; true if a live entry went. */
  delete(key) {
    this.cancelBusy(key);
    const slot = this.index.get(key);
    if (slot === undefined) return false;
    const now = this.storeTime(undefined);
    const entry = this.slots[slot];
    if (entry.state === "pending") {
      entry.flight.valid = false;
      this.pending--;
      this.index.delete(key);
      this.release(slot);
      return false;
    }
    const live = now < entry.deadline;
    this.drop(slot);
    return live;
  }

  clear() {
    for (const entry of this.slots) if (entry?.state === "pending") entry.flight.valid = false;
    this.epoch++;
    this.reset();
  }

  /** storage.set: the value wins over a pending computation. */
  set(key, ref, ttl) {
    this.cancelBusy(key);
    const slot = this.index.get(key);
    if (slot !== undefined) {
      const now = this.storeTime(ttl);
      const entry = this.slots[slot];
      if (entry.state === "ready") {
        entry.deadline = this.deadline(now, ttl);
        entry.ref = ref;
        this.order.delete(slot);
        this.order.set(slot, true);
        return;
      }
      entry.flight.valid = false;
      this.pending--;
      this.index.delete(key);
      this.release(slot);
    }
    this.insert(key, ref, ttl);
  }

  get(key) {
    const found = this.lookup(key);
    if (found.hit) return found.ref;
    this.misses++;
    return { lit: undefined };
  }

  has(key) {
    const slot = this.index.get(key);
    if (slot === undefined) return false;
    const entry = this.slots[slot];
    if (entry.state === "pending") return false;
    return entry.deadline === Infinity || this.read() < entry.deadline;
  }

  stats() {
    return {
      hits: this.hits,
      misses: this.misses,
      joined: this.joined,
      evictions: this.evictions,
      expirations: this.expirations,
      staleHits: 0, // no stale window in these regimes
      size: this.ready,
      pending: this.pending + this.busy.length,
    };
  }
}

const DEFAULT_PLAN = { outcome: "value", during: [], timer: false };

/**
 * The model of a whole sequence: the stores, the invocations it predicts, and what it expects of
 * every call, delete, get, has and keyOf check, in the order they are made.
 */
class Model {
  constructor(config) {
    this.config = config;
    this.now = 1000;
    this.nan = false;
    this.stores = config.stores.map((s) => new ModelStore(this, s));
    /** Predicted invocations: { h, args (canonical) }. */
    this.invocations = [];
    /** Flights by invocation number. */
    this.flights = [];
    /** Expectations, one per result the test records. */
    this.expect = [];
    /** Lineage of flights whose computation is running synchronously now. */
    this.context = [];
    /** Calls that timers started by computations will make (after the current call). */
    this.timers = [];
  }

  clock() {
    return this.nan ? Number.NaN : this.now;
  }

  storeOf(h) {
    return this.stores[h.store];
  }

  /** A call of handle `h` with the values `args` and, if it runs, the plan `plan`; returns the index of its expectation. */
  call(h, args, plan) {
    const at = this.expect.push(undefined) - 1;
    this.expect[at] = this.callInner(h, args, plan);
    return at;
  }

  callInner(h, args, plan) {
    const store = this.storeOf(h);
    const key = modelKey(h, args);
    const found = store.lookup(key);
    if (found.hit) return { type: "value", ref: found.ref };
    if (h.kind === "sync") {
      if (store.busy.some((computation) => computation.key === key)) return { type: "reentrant" };
      store.misses++;
      const computation = { key, cancelled: false, epoch: store.epoch };
      store.busy.push(computation);
      const n = this.invocations.push({ h: h.id, args: canonArgs(h, args) }) - 1;
      for (const action of plan.during) this.action(action);
      store.busy.pop();
      if (plan.outcome === "throw") return { type: "throws", inv: n };
      const ref = { inv: n };
      if (!computation.cancelled && computation.epoch === store.epoch) store.insert(key, ref, h.ttl);
      return { type: "value", ref };
    }
    if (found.pending) {
      const flight = store.slots[found.slot].flight;
      if (this.context.includes(flight)) return { type: "reentrant" };
      store.joined++;
      store.hits++;
      return { type: "flight", flight };
    }
    store.misses++;
    const flight = { key, store, h, args, valid: true, state: "pending" };
    flight.slot = store.begin(key, flight);
    flight.lineage = [...this.context, flight];
    const n = this.invocations.push({ h: h.id, args: canonArgs(h, args) }) - 1;
    flight.inv = n;
    this.flights[n] = flight;
    const outer = this.context;
    this.context = flight.lineage;
    for (const action of plan.during) this.action(action);
    this.context = outer;
    if (plan.timer) this.timers.push(() => this.call(h, args, DEFAULT_PLAN));
    return { type: "flight", flight };
  }

  /** Runs the calls the timers of the latest call make (outside any computation). */
  runTimers() {
    const timers = this.timers;
    this.timers = [];
    for (const timer of timers) timer();
  }

  /** An action inside a computation (or an operation of its own). */
  action(action) {
    const h = this.config.handles[action.h];
    switch (action.t) {
      case "call":
        this.call(h, build(action.args), DEFAULT_PLAN);
        break;
      case "delete":
        this.expect.push({ type: "value", ref: { lit: this.storeOf(h).delete(modelKey(h, build(action.args))) } });
        break;
      case "clear":
        this.storeOf(h).clear();
        break;
      case "stats":
        this.expect.push({ type: "value", ref: { lit: statsText(this.storeOf(h).stats()) } });
        break;
    }
  }

  /** Whether a flight's computation, resumed now, would find itself pending (re-entrancy check after an await). */
  stillPending(n) {
    return this.flights[n].valid;
  }

  settle(n, outcome, reenter) {
    const flight = this.flights[n];
    if (reenter) {
      this.reenteredAfterAwait = (this.reenteredAfterAwait ?? 0) + 1;
      const outer = this.context;
      this.context = flight.lineage;
      this.call(flight.h, flight.args, DEFAULT_PLAN);
      this.context = outer;
    }
    if (outcome === "reject") {
      flight.state = "rejected";
      if (flight.valid) flight.store.abandon(flight);
    } else {
      flight.state = "fulfilled";
      flight.store.complete(flight, { inv: n }, flight.h.ttl);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The implementation under test, instrumented: every invocation and result recorded.

function deferred() {
  let resolve, reject;
  const promise = new Promise((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

function makeWorld(config) {
  const world = {
    now: 1000,
    nan: false,
    /** { h, args (canonical), kind, value, error, deferred, settled, reenter } */
    invocations: [],
    invocationsChecked: 0,
    /** One per call/delete/get/has/keyOf: { sync, ok, value, error } or { async, state, value, error }. */
    results: [],
    /** The plan of the current operation's call, taken by the first invocation. */
    plan: undefined,
    /** Resolved once the timer started by the current operation's computation has run. */
    timerDone: undefined,
  };
  const clock = () => (world.nan ? Number.NaN : world.now);
  const stores = config.stores.map((s) => {
    if (!s.shared) return undefined;
    const Storage = s.kind === "sync" ? TTLMapStorage : TTLMapAsyncStorage;
    return new Storage({ maxSize: s.maxSize, ttl: s.ttl, clock });
  });
  world.stores = stores;

  const takePlan = () => {
    const plan = world.plan ?? DEFAULT_PLAN;
    world.plan = undefined;
    return plan;
  };

  world.fns = config.handles.map((h) => {
    const s = config.stores[h.store];
    const syncBody = (args) => {
      const plan = takePlan();
      const n = world.invocations.length;
      const inv = { h: h.id, args: canonArgs(h, args), kind: "sync" };
      world.invocations.push(inv);
      for (const action of plan.during) world.action(action);
      if (plan.outcome === "throw") throw (inv.error = new Error(`invocation ${n} throws`));
      inv.value = plan.outcome === "undefined" ? undefined : { invocation: n };
      return inv.value;
    };
    const asyncBody = async (args) => {
      const plan = takePlan();
      const inv = { h: h.id, args: canonArgs(h, args), kind: "async", deferred: deferred(), settled: false, reenter: false };
      world.invocations.push(inv);
      for (const action of plan.during) world.action(action);
      if (plan.timer) {
        world.timerDone = new Promise((resolve) =>
          setTimeout(() => {
            world.call(h.id, args);
            resolve();
          }, 0),
        );
      }
      const value = await inv.deferred.promise;
      if (inv.reenter) {
        // Awaits its own key: the re-entrancy error must come, not a wait for itself.
        try {
          await world.call(h.id, args).promise;
        } catch {}
      }
      return value;
    };
    const fn = h.kind === "sync" ? (...args) => syncBody(args) : async (...args) => asyncBody(args);
    const options = { name: h.name, version: h.version, cacheWith: h.cacheWith, prefix: h.prefix, serializer: h.serializer };
    if (s.shared) Object.assign(options, { storage: stores[h.store], ttl: h.ttl });
    else Object.assign(options, { maxSize: s.maxSize, ttl: s.ttl, clock });
    return memoize(fn, options);
  });

  /** Calls handle `id` with `args`, recording the result. */
  world.call = (id, args) => {
    const h = config.handles[id];
    const record = h.kind === "sync" ? { sync: true } : { async: true, state: "pending" };
    world.results.push(record);
    try {
      const returned = world.fns[id](...args);
      if (h.kind === "sync") {
        record.ok = true;
        record.value = returned;
      } else {
        record.promise = Promise.resolve(returned);
        record.promise.then(
          (value) => Object.assign(record, { state: "fulfilled", value }),
          (error) => Object.assign(record, { state: "rejected", error }),
        );
        if (!(returned instanceof Promise)) Object.assign(record, { state: "rejected", error: new Error("an async memoized function returned a non-promise") });
      }
    } catch (error) {
      if (h.kind === "sync") Object.assign(record, { ok: false, error });
      else {
        Object.assign(record, { state: "rejected", error: new Error(`an async memoized function threw synchronously: ${error}`) });
        record.promise = Promise.reject(record.error);
        record.promise.catch(() => {});
      }
    }
    return record;
  };

  /** Records a synchronous result (or what it threw). */
  world.record = (compute) => {
    const record = { sync: true };
    world.results.push(record);
    try {
      record.value = compute();
      record.ok = true;
    } catch (error) {
      Object.assign(record, { ok: false, error });
    }
    return record;
  };

  /** Records a promise's settlement. */
  world.recordAsync = (compute) => {
    const record = { async: true, state: "pending" };
    world.results.push(record);
    try {
      Promise.resolve(compute()).then(
        (value) => Object.assign(record, { state: "fulfilled", value }),
        (error) => Object.assign(record, { state: "rejected", error }),
      );
    } catch (error) {
      Object.assign(record, { state: "rejected", error });
    }
    return record;
  };

  world.action = (action) => {
    const fn = world.fns[action.h];
    switch (action.t) {
      case "call":
        world.call(action.h, build(action.args));
        break;
      case "delete":
        world.record(() => fn.cache.delete(...build(action.args)));
        break;
      case "clear":
        fn.cache.clear();
        break;
      case "stats":
        world.record(() => statsText(fn.cache.stats()));
        break;
    }
  };

  world.stats = (storeId) => {
    const h = config.handles.find((h) => h.store === storeId);
    return world.fns[h.id].cache.stats();
  };
  return world;
}

// ---------------------------------------------------------------------------------------------
// Configurations and operations.

/** The regimes: which functions and storages a sequence has. */
const REGIMES = [
  { name: "private caches, 1 argument", private1: true },
  { name: "shared storages: functions, versions, storage operations", shared: true },
  { name: "private caches, 2 and 3 arguments", privateMulti: true, clearInside: 0 },
  { name: "private caches, 2 and 3 arguments, clear() inside computations", privateMulti: true, clearInside: 0.5 },
  { name: "cacheWith leaves excluded arguments alone", cacheWith: true, unkeyableExcluded: true },
  { name: "a same-key call from a timer joins", timer: true },
  { name: "everything together", private1: true, privateMulti: true, shared: true, cacheWith: true, unkeyableExcluded: true, timer: true },
];

function makeConfig(rng, regime) {
  const stores = [];
  const handles = [];
  const keyable = (objects) => (objects ? [...PRIMITIVES, ...OBJECTS] : PRIMITIVES);
  // What excluded positions hold: values no key can hold (defect 2's regime), or keyable ones.
  const left = regime.unkeyableExcluded ? [...UNKEYABLE, "1"] : ["1", '"a"', "{a:1}", "[1,2]"];
  const domain = (arity, excluded, objects, small = false) => {
    // Small domains, so that keys repeat: about 6 distinct keys per 1-argument function, 8-9 for more
    // (fewer on shared storages, where several functions share the room).
    const size = arity === 1 ? (small ? 4 : 6) : arity === 2 ? 3 : 2;
    const keys = keyable(objects);
    return [...Array(arity).keys()].map((i) => (excluded.includes(i) ? rng.sample(left, 2) : rng.sample(keys, size)));
  };
  const privateStore = (kind) =>
    stores.push({ id: stores.length, shared: false, kind, maxSize: rng.pick([1, 2, 3, 4, 8, 1000]), ttl: rng.pick([undefined, undefined, 5, 10, 30]) }) - 1;
  const addHandle = (h) => handles.push({ id: handles.length, ...h });
  const privateHandle = (kind, arity, cacheWith, objects) => {
    const excluded = cacheWith ? [...Array(arity).keys()].filter((i) => !cacheWith.includes(i)) : [];
    addHandle({ kind, arity, store: privateStore(kind), name: `p${handles.length}`, version: rng.pick([undefined, "2"]), cacheWith, domain: domain(arity, excluded, objects) });
  };
  if (regime.private1) {
    for (const kind of ["sync", "sync", "async", "async"]) privateHandle(kind, 1, undefined, true);
    // One argument of two takes part.
    if (!regime.unkeyableExcluded) for (const kind of ["sync", "async"]) privateHandle(kind, 2, rng.pick([[0], [1]]), true);
    // f(), f(x): calls of no or one argument of one function (f() and f(undefined) are two keys).
    for (const kind of ["sync", "async"]) {
      addHandle({ kind, arity: 1, variadic: [0, 1], store: privateStore(kind), name: `v${handles.length}`, domain: [rng.sample([...PRIMITIVES, ...OBJECTS], 4)] });
    }
    // Hashed keys: a private cache then indexes every call by its key string, primitives too.
    for (const kind of ["sync", "async"]) {
      const serializer = rng.pick(["md5", "sha256"]);
      const arity = rng.pick([2, 3]);
      addHandle({ kind, arity, store: privateStore(kind), name: `h${handles.length}`, serializer, domain: domain(arity, [], true) });
    }
  }
  if (regime.privateMulti) {
    for (const kind of ["sync", "async"]) for (const arity of [2, 3]) privateHandle(kind, arity, undefined, rng.chance(0.3));
    // Two of three positions take part (what is left out holds keyable values here).
    for (const kind of ["sync", "async"]) privateHandle(kind, 3, rng.pick([[2, 0], [0, 1], [1, 2]]), rng.chance(0.3));
  }
  if (regime.cacheWith) {
    // One position takes part: the argument index has one level (two or more are defect 1's regime).
    const selections = { 2: [[1], [0]], 3: [[1], [2], [0]] };
    for (const kind of ["sync", "async"]) for (const arity of [2, 3]) privateHandle(kind, arity, rng.pick(selections[arity]), true);
  }
  if (regime.timer && !regime.private1) {
    for (const kind of ["sync", "async", "async"]) privateHandle(kind, 1, undefined, true);
  }
  if (regime.shared || regime.cacheWith) {
    for (const kind of ["sync", "async"]) {
      const store = stores.push({ id: stores.length, shared: true, kind, maxSize: rng.pick([2, 3, 5, 1000]), ttl: rng.pick([undefined, 10]) }) - 1;
      const named = regime.shared
        ? [
            // A second function whose keys would meet f's (the same name, or a prefix and name
            // that spell the same head) is refused at memoize: js/test/options.test.mjs.
            { name: "f", version: undefined },
            { name: "f", version: "1" },
            { name: "f", version: "2" },
            { name: "g", version: undefined },
            { name: "bc", prefix: "a" },
            { name: "f", serializer: "sha256" }, // never meets f's repr keys
          ]
        : [{ name: "f", version: undefined }];
      const arity = rng.pick([1, 2, 3]);
      for (const { name, version, prefix, serializer } of named) {
        // Keys are strings here, whatever the number of positions taking part.
        const cacheWith = arity > 1 && (regime.cacheWith || name === "g") ? rng.pick(arity === 2 ? [[1], [0]] : [[2], [0, 2], [1, 0]]) : undefined;
        const excluded = cacheWith ? [...Array(arity).keys()].filter((i) => !cacheWith.includes(i)) : [];
        const shared = handles.find((h) => h.store === store && labelOf(h) === labelOf({ name, version, prefix, serializer }));
        addHandle({
          kind,
          arity,
          store,
          name,
          version,
          prefix,
          serializer,
          cacheWith,
          ttl: rng.pick([undefined, undefined, 7, 15]),
          domain: shared ? shared.domain : domain(arity, excluded, true, true),
        });
      }
    }
  }
  return { stores, handles, timers: regime.timer === true, clearInside: regime.clearInside ?? 0.15 };
}

/** A call's argument tokens for handle `h`. */
const argsFor = (rng, h) => (h.variadic ? [...Array(rng.pick(h.variadic)).keys()].map(() => rng.pick(h.domain[0])) : h.domain.map((tokens) => rng.pick(tokens)));

/** The same arguments, some replaced by canonically equal twins (another property order, -0). */
const twinArgs = (rng, tokens) => tokens.map((token) => (TWINS[token] && rng.chance(0.5) ? TWINS[token] : token));

function makePlan(rng, config, h) {
  const plan = { outcome: "value", during: [], timer: false };
  if (h.kind === "sync") {
    const r = rng.next();
    plan.outcome = r < 0.1 ? "throw" : r < 0.2 ? "undefined" : "value";
  }
  if (config.timers && h.kind === "async" && rng.chance(0.25)) plan.timer = true;
  if (config.clearInside > 0.15 && rng.chance(config.clearInside)) {
    // A clear, then a call of the computation's own key.
    plan.during.push({ t: "clear", h: h.id }, { t: "call", h: h.id, args: "same" });
  } else if (rng.chance(0.15)) {
    const sameKind = config.handles.filter((other) => other.kind === h.kind);
    const count = 1 + rng.int(2);
    for (let i = 0; i < count; i++) {
      const r = rng.next() * (0.85 + config.clearInside);
      if (r < 0.35) {
        // The same key: this function, or another with its name on its storage.
        const twins = sameKind.filter((o) => o.store === h.store && labelOf(o) === labelOf(h) && o.arity === h.arity && String(o.cacheWith) === String(h.cacheWith));
        plan.during.push({ t: "call", h: rng.pick(twins).id, args: "same" });
      } else if (r < 0.6) {
        const other = rng.pick(sameKind);
        plan.during.push({ t: "call", h: other.id, args: argsFor(rng, other) });
      } else if (r < 0.75) {
        plan.during.push({ t: "delete", h: h.id, args: "same" });
      } else if (r < 0.85) {
        plan.during.push({ t: "delete", h: h.id, args: argsFor(rng, h) });
      } else {
        plan.during.push({ t: "clear", h: h.id });
      }
    }
  }
  // The counters seen from inside the computation (pending counts it).
  if (rng.chance(0.08)) plan.during.push({ t: "stats", h: h.id });
  return plan;
}

function makeOp(rng, config) {
  const { handles } = config;
  const h = rng.pick(handles);
  const sharedStores = config.stores.filter((s) => s.shared);
  const r = rng.next();
  if (r < 0.42) {
    const args = argsFor(rng, h);
    const plan = makePlan(rng, config, h);
    plan.during = plan.during.map((a) => (a.args === "same" ? { ...a, args: twinArgs(rng, args) } : a));
    return { t: "call", h: h.id, args, plan };
  }
  if (r < 0.58) {
    const x = rng.next();
    const reenter = rng.chance(0.2) && CHECK_REENTRANCY_ACROSS_AWAITS;
    return { t: "settle", pick: rng.int(8), outcome: x < 0.65 ? "value" : x < 0.75 ? "undefined" : "reject", reenter };
  }
  if (r < 0.65) return { t: "delete", h: h.id, args: argsFor(rng, h) };
  if (r < 0.67) return { t: "clear", h: h.id };
  if (r < 0.75) return rng.chance(0.06) ? { t: "clock", nan: true } : { t: "clock", d: rng.pick([1, 2, 3, 5, 8, 13, 30, -1, -4, -15, -40]) };
  if (r < 0.8) {
    const a = argsFor(rng, h);
    const b = rng.chance(0.5) ? twinArgs(rng, a) : argsFor(rng, h);
    // Peers whose excluded positions are h's: an excluded argument may be one no key can hold.
    const peers = handles.filter((o) => o.store === h.store && o.arity === h.arity && String(o.cacheWith) === String(h.cacheWith));
    return { t: "keyOf", h: h.id, a, h2: rng.chance(0.7) ? h.id : rng.pick(peers).id, b };
  }
  if (r < 0.88 || sharedStores.length === 0) return { t: "stats" };
  // Operations of a shared storage itself, on the keys of one of its functions.
  const on = rng.pick(handles.filter((o) => config.stores[o.store].shared));
  const x = rng.next();
  const args = argsFor(rng, on);
  if (x < 0.3) return { t: "get", h: on.id, args };
  if (x < 0.6) return { t: "set", h: on.id, args, ttl: rng.pick([undefined, undefined, 4, 12]) };
  if (x < 0.75) return { t: "has", h: on.id, args };
  if (x < 0.95) return { t: "sdelete", h: on.id, args };
  return { t: "bump", h: on.id };
}

function generate(seed, regime) {
  const rng = prng(seed * 7919 + regime.name.length);
  const config = makeConfig(rng, regime);
  const ops = [];
  for (let i = 0; i < OPS; i++) ops.push(makeOp(rng, config));
  return { config, ops, statsEveryStep: seed % 2 === 0 };
}

// ---------------------------------------------------------------------------------------------
// Running a sequence against both, and comparing.

class Mismatch extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

const flush = () => new Promise((resolve) => setImmediate(resolve));
/** Counters as text, keys sorted: a snapshot compared as a result. */
const statsText = (stats) => JSON.stringify(stats, Object.keys(stats).sort());
const isReentrant = (error) => error instanceof Error && /re-?entran/i.test(error.message);

function describe(value) {
  if (value === undefined) return "undefined";
  if (value instanceof Error) return `Error(${JSON.stringify(value.message)})`;
  if (value && typeof value === "object" && "invocation" in value) return `the value of invocation #${value.invocation}`;
  if (value && typeof value === "object" && "setValue" in value) return `the value set by op ${value.setValue}`;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

function describeResult(r) {
  if (r.sync) return r.ok ? `returned ${describe(r.value)}` : `threw ${describe(r.error)}`;
  if (r.state === "pending") return "a promise still pending";
  return r.state === "fulfilled" ? `a promise fulfilled with ${describe(r.value)}` : `a promise rejected with ${describe(r.error)}`;
}

/** What the model expects, resolved against the recorded invocations: { describe, matches(record), final }. */
function judge(expectation, world) {
  const refValue = (ref) => ("inv" in ref ? world.invocations[ref.inv]?.value : "lit" in ref ? ref.lit : ref.obj);
  const fulfilledWith = (value, r) => (r.sync ? r.ok && r.value === value : r.state === "fulfilled" && r.value === value);
  switch (expectation.type) {
    case "value": {
      const value = refValue(expectation.ref);
      return { text: `${describe(value)}`, ok: (r) => fulfilledWith(value, r), final: true };
    }
    case "throws": {
      const error = world.invocations[expectation.inv]?.error;
      return { text: `the error of invocation #${expectation.inv}`, ok: (r) => r.sync && !r.ok && r.error === error, final: true };
    }
    case "reentrant":
      return { text: "a re-entrancy Error", ok: (r) => (r.sync ? !r.ok && isReentrant(r.error) : r.state === "rejected" && isReentrant(r.error)), final: true };
    case "flight": {
      const { flight } = expectation;
      const inv = world.invocations[flight.inv];
      if (flight.state === "pending") return { text: `pending (joined to invocation #${flight.inv})`, ok: (r) => r.state === "pending", final: false };
      if (flight.state === "fulfilled") return { text: `the value of invocation #${flight.inv}`, ok: (r) => r.state === "fulfilled" && r.value === inv?.value, final: true };
      return { text: `the rejection of invocation #${flight.inv}`, ok: (r) => r.state === "rejected" && r.error === inv?.error, final: true };
    }
  }
  throw new Error(`unknown expectation ${expectation.type}`);
}

/** Compares the implementation with the model; throws a Mismatch. `open` holds the results still to check. */
function compare(world, model, open, withStats, stepResults) {
  const { invocations } = world;
  const expected = model.invocations;
  const count = Math.max(invocations.length, expected.length);
  // Invocations never change once made: compare from the first not yet compared.
  for (let n = world.invocationsChecked; n < count; n++) {
    const a = invocations[n];
    const e = expected[n];
    if (!a || !e || a.h !== e.h || a.args !== e.args) {
      const show = (list) => list.slice(n).map((i) => `h${i.h}(${i.args})`).join(" ") || "none";
      const results = world.results
        .slice(stepResults)
        .map((r, i) => `#${stepResults + i} ${describeResult(r)}` + (model.expect[stepResults + i] ? ` (expected ${judge(model.expect[stepResults + i], world).text})` : ""));
      const also = results.length ? `; this step's results: ${results.join(", ")}` : "";
      throw new Mismatch("invocations", `invocations from #${n}: expected ${show(expected)}, got ${show(invocations)}${also}`);
    }
  }
  world.invocationsChecked = count;
  if (world.results.length !== model.expect.length) {
    throw new Mismatch("results", `${model.expect.length} results expected, ${world.results.length} recorded`);
  }
  for (const i of [...open]) {
    const verdict = judge(model.expect[i], world);
    const record = world.results[i];
    if (!verdict.ok(record)) throw new Mismatch("result", `result #${i}: expected ${verdict.text}, got ${describeResult(record)}`);
    if (verdict.final) open.delete(i);
  }
  if (withStats) compareStats(world, model);
}

function compareStats(world, model) {
  model.stores.forEach((store, id) => {
    const actual = world.stats(id);
    const wanted = store.stats();
    for (const counter of Object.keys(wanted)) {
      if (actual[counter] !== wanted[counter]) {
        throw new Mismatch(`stats.${counter}`, `storage s${id} stats: expected ${JSON.stringify(wanted)}, got ${JSON.stringify(actual)}`);
      }
    }
  });
}

/** Runs `ops` on a fresh world and model; returns undefined or the first mismatch { step, kind, message }. */
async function run(config, ops, statsEveryStep, coverage) {
  const world = makeWorld(config);
  const model = new Model(config);
  // Results not yet final (a promise may still settle); each is checked after every step.
  const open = new Set();
  let checkedUpTo = 0;
  const trackAll = () => {
    for (; checkedUpTo < model.expect.length; checkedUpTo++) open.add(checkedUpTo);
  };
  for (let step = 0; step <= ops.length; step++) {
    const op = ops[step] ?? { t: "drain" };
    const stepResults = world.results.length;
    try {
      await apply(op, step, world, model, config);
      trackAll();
      compare(world, model, open, statsEveryStep || op.t === "stats" || op.t === "drain", stepResults);
    } catch (error) {
      if (error instanceof Mismatch) return { step, kind: error.kind, message: error.message };
      return { step, kind: "exception", message: `the test itself threw: ${error?.stack ?? error}` };
    }
  }
  if (coverage) {
    // What the sequence exercised, so that a regime that stops exercising something shows it.
    for (const e of model.expect) {
      const kind = e.type === "value" && "inv" in e.ref ? "value" : e.type === "value" ? "answer" : e.type;
      coverage[kind] = (coverage[kind] ?? 0) + 1;
    }
    for (const store of model.stores) for (const [counter, n] of Object.entries(store.stats())) coverage[counter] = (coverage[counter] ?? 0) + n;
    coverage.invocations = (coverage.invocations ?? 0) + model.invocations.length;
    coverage.reenteredAfterAwait = (coverage.reenteredAfterAwait ?? 0) + (model.reenteredAfterAwait ?? 0);
  }
  return undefined;
}

async function apply(op, step, world, model, config) {
  const h = config.handles[op.h];
  const fn = world.fns[op.h];
  switch (op.t) {
    case "call": {
      const plan = { ...op.plan };
      world.plan = plan;
      world.call(op.h, build(op.args));
      world.plan = undefined;
      model.call(h, build(op.args), plan);
      if (world.timerDone) {
        await world.timerDone;
        world.timerDone = undefined;
      }
      model.runTimers();
      break;
    }
    case "settle": {
      const open = world.invocations.map((inv, n) => [inv, n]).filter(([inv]) => inv.kind === "async" && !inv.settled);
      if (open.length === 0) break;
      const [inv, n] = open[op.pick % open.length];
      inv.settled = true;
      const reenter = op.reenter && op.outcome !== "reject" && model.flights[n] !== undefined && model.stillPending(n);
      inv.reenter = reenter;
      if (op.outcome === "reject") {
        inv.error = new Error(`invocation ${n} rejects`);
        inv.deferred.reject(inv.error);
      } else {
        inv.value = op.outcome === "undefined" ? undefined : { invocation: n };
        inv.deferred.resolve(inv.value);
      }
      if (model.flights[n]) model.settle(n, op.outcome, reenter);
      break;
    }
    case "drain": {
      // Settle what is still pending, oldest first, so that every promise's outcome is checked.
      for (;;) {
        await flush();
        const n = world.invocations.findIndex((inv) => inv.kind === "async" && !inv.settled);
        if (n < 0) break;
        const inv = world.invocations[n];
        inv.settled = true;
        inv.value = { invocation: n };
        inv.deferred.resolve(inv.value);
        if (model.flights[n]) model.settle(n, "value", false);
      }
      break;
    }
    case "delete":
      world.record(() => fn.cache.delete(...build(op.args)));
      model.expect.push({ type: "value", ref: { lit: model.storeOf(h).delete(modelKey(h, build(op.args))) } });
      break;
    case "clear":
      fn.cache.clear();
      model.storeOf(h).clear();
      break;
    case "clock":
      if (op.nan) {
        world.nan = model.nan = true;
      } else {
        world.nan = model.nan = false;
        world.now += op.d;
        model.now += op.d;
      }
      break;
    case "keyOf": {
      const h2 = config.handles[op.h2];
      const a = build(op.a);
      const b = build(op.b);
      world.record(() => fn.cache.keyOf(...a) === world.fns[op.h2].cache.keyOf(...b));
      model.expect.push({ type: "value", ref: { lit: modelKey(h, a) === modelKey(h2, b) } });
      break;
    }
    case "stats":
      break;
    case "get":
    case "set":
    case "has":
    case "sdelete":
    case "bump": {
      const storage = world.stores[h.store];
      const store = model.storeOf(h);
      const args = op.args ? build(op.args) : [];
      let key;
      try {
        key = op.args ? fn.cache.keyOf(...args) : undefined;
      } catch (error) {
        throw new Mismatch("keyOf", `keyOf(${op.args}) threw ${describe(error)}`);
      }
      const modelK = op.args ? modelKey(h, args) : undefined;
      const async = storage instanceof TTLMapAsyncStorage;
      const record = (compute) => (async ? world.recordAsync(compute) : world.record(compute));
      if (op.t === "get") {
        record(() => storage.get(key));
        model.expect.push({ type: "value", ref: store.get(modelK) });
      } else if (op.t === "set") {
        const value = { setValue: step };
        record(() => storage.set(key, value, op.ttl));
        store.set(modelK, { obj: value }, op.ttl);
        model.expect.push({ type: "value", ref: { lit: undefined } });
      } else if (op.t === "has") {
        record(() => storage.has(key));
        model.expect.push({ type: "value", ref: { lit: store.has(modelK) } });
      } else if (op.t === "sdelete") {
        record(() => storage.delete(key));
        model.expect.push({ type: "value", ref: { lit: store.delete(modelK) } });
      } else {
        record(() => storage.bumpVersion());
        store.clear();
        model.expect.push({ type: "value", ref: { lit: undefined } });
      }
      break;
    }
    default:
      throw new Error(`unknown op ${op.t}`);
  }
  await flush();
}

// ---------------------------------------------------------------------------------------------
// Shrinking and reporting.

/** An action from inside a computation as an operation of its own. */
const hoist = (action) => (action.t === "call" ? { t: "call", h: action.h, args: action.args, plan: DEFAULT_PLAN } : { ...action });

/**
 * Shrinks a failing sequence while the same kind of mismatch remains: removes operations (halves,
 * quarters, ... single ones), then simplifies what is left — actions inside a computation moved
 * out to operations of their own (before or after it), dropped one by one, no timer, no throw,
 * no re-entry after an await — and repeats until nothing changes. Every simplification lowers
 * the number of nested actions and plan features, so this ends.
 */
async function shrink(config, ops, statsEveryStep, failure) {
  let best = ops.slice(0, failure.step + 1);
  let bestFailure = failure;
  const deadline = Date.now() + 20_000;
  const attempt = async (candidate) => {
    const found = await run(config, candidate, statsEveryStep);
    if (found && found.kind === failure.kind) {
      best = candidate.slice(0, found.step + 1);
      bestFailure = found;
      return true;
    }
    return false;
  };
  const remove = async () => {
    let changed = false;
    for (let chunk = Math.ceil(best.length / 2); chunk >= 1 && Date.now() < deadline; chunk = chunk === 1 ? 0 : Math.ceil(chunk / 2)) {
      for (let i = 0; i < best.length && Date.now() < deadline; ) {
        if (await attempt([...best.slice(0, i), ...best.slice(i + chunk)])) changed = true;
        else i += chunk;
      }
    }
    return changed;
  };
  const simplify = async () => {
    let changed = false;
    for (let i = 0; i < best.length && Date.now() < deadline; i++) {
      const op = best[i];
      const variants = [];
      if (op.t === "call") {
        const { during, timer, outcome } = op.plan;
        const bare = { ...op, plan: { ...op.plan, during: [] } };
        if (during.length > 0) {
          variants.push([bare, ...during.map(hoist)], [...during.map(hoist), bare]);
          for (let j = 0; j < during.length; j++) variants.push([{ ...op, plan: { ...op.plan, during: during.filter((_, k) => k !== j) } }]);
        }
        if (timer) variants.push([{ ...op, plan: { ...op.plan, timer: false } }]);
        if (outcome !== "value") variants.push([{ ...op, plan: { ...op.plan, outcome: "value" } }]);
      }
      if (op.t === "settle" && op.reenter) variants.push([{ ...op, reenter: false }]);
      for (const variant of variants) {
        if (await attempt([...best.slice(0, i), ...variant, ...best.slice(i + 1)])) {
          changed = true;
          break;
        }
      }
    }
    return changed;
  };
  for (let round = 0; round < 10 && Date.now() < deadline; round++) {
    const removed = await remove();
    const simplified = await simplify();
    if (!removed && !simplified) break;
  }
  // Without stats after every step, if the mismatch still shows.
  let everyStep = statsEveryStep;
  if (everyStep) {
    const found = await run(config, best, false);
    if (found && found.kind === failure.kind) {
      everyStep = false;
      best = best.slice(0, found.step + 1);
      bestFailure = found;
    }
  }
  return { ops: best, failure: bestFailure, statsEveryStep: everyStep };
}

function describeHandle(h, config) {
  const s = config.stores[h.store];
  const where = s.shared ? `shared ${s.kind === "sync" ? "TTLMapStorage" : "TTLMapAsyncStorage"} s${s.id} {maxSize: ${s.maxSize}, ttl: ${s.ttl}}` : `private {maxSize: ${s.maxSize}, ttl: ${s.ttl}}`;
  const options = [
    `name: "${h.name}"`,
    h.version ? `version: "${h.version}"` : "",
    h.prefix ? `prefix: "${h.prefix}"` : "",
    h.serializer ? `serializer: "${h.serializer}"` : "",
    h.cacheWith ? `cacheWith: [${h.cacheWith}]` : "",
    h.ttl ? `ttl: ${h.ttl}` : "",
  ];
  const arity = h.variadic ? `${h.variadic.join("/")}-argument` : `${h.arity}-argument`;
  return `h${h.id} = memoize(${h.kind} ${arity} fn, {${options.filter(Boolean).join(", ")}}) on ${where}`;
}

function describeOp(op) {
  const args = (tokens) => tokens.join(", ");
  switch (op.t) {
    case "call": {
      const extra = [];
      if (op.plan.outcome !== "value") extra.push(`fn ${op.plan.outcome === "throw" ? "throws" : "returns undefined"}`);
      const inside = (a) =>
        a.t === "clear" ? `h${a.h}.cache.clear()` : a.t === "delete" ? `h${a.h}.cache.delete(${args(a.args)})` : a.t === "stats" ? `h${a.h}.cache.stats()` : `h${a.h}(${args(a.args)})`;
      for (const a of op.plan.during) extra.push(`inside: ${inside(a)}`);
      if (op.plan.timer) extra.push("inside: setTimeout(() => same call, 0)");
      return `h${op.h}(${args(op.args)})${extra.length ? "   [if it runs: " + extra.join("; ") + "]" : ""}`;
    }
    case "settle":
      return `settle unsettled async invocation no. ${op.pick} mod count (oldest first): ${op.outcome === "reject" ? "reject" : op.outcome === "undefined" ? "resolve undefined" : "resolve a new object"}${op.reenter ? ", then it awaits a same-key call" : ""}`;
    case "delete":
      return `h${op.h}.cache.delete(${args(op.args)})`;
    case "clear":
      return `h${op.h}.cache.clear()`;
    case "clock":
      return op.nan ? "clock reads NaN" : `clock ${op.d > 0 ? "+" : ""}${op.d}`;
    case "keyOf":
      return `h${op.h}.cache.keyOf(${args(op.a)}) === h${op.h2}.cache.keyOf(${args(op.b)})?`;
    case "stats":
      return "check stats";
    case "bump":
      return `storage of h${op.h}: bumpVersion()`;
    case "sdelete":
      return `storage of h${op.h}: delete(keyOf(${args(op.args)}))`;
    default:
      return `storage of h${op.h}: ${op.t}(keyOf(${args(op.args)})${op.ttl ? `, value, ${op.ttl}` : op.t === "set" ? ", value" : ""})`;
  }
}

function report(regime, seed, config, shrunk, original) {
  const used = new Set();
  for (const op of shrunk.ops) {
    if (op.h !== undefined) used.add(op.h);
    if (op.h2 !== undefined) used.add(op.h2);
    for (const a of op.plan?.during ?? []) used.add(a.h);
  }
  const lines = [
    `model mismatch: regime "${regime.name}", seed ${seed} (${original.ops.length} ops; failed at op ${original.failure.step}, shrunk to ${shrunk.ops.length})`,
    `  ${shrunk.failure.kind}: ${shrunk.failure.message}`,
    `  clock starts at 1000; stats ${shrunk.statsEveryStep ? "compared after every step" : "compared at 'check stats' and at the end"}`,
    ...[...used].sort((a, b) => a - b).map((id) => "  " + describeHandle(config.handles[id], config)),
    ...shrunk.ops.map((op, i) => `  ${String(i).padStart(3)}: ${describeOp(op)}`),
    `  (then every pending invocation is resolved, oldest first, and stats compared)`,
    `  reproduce: MODEL_REGIME="${regime.name}" MODEL_SEED=${seed} node --test js/test/model.test.mjs`,
  ];
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------
// The tests.

for (const regime of REGIMES) {
  if (process.env.MODEL_REGIME && process.env.MODEL_REGIME !== regime.name) continue;
  const known = KNOWN_DEFECT_REGIMES[regime.name];
  test(`model: ${regime.name}`, known ? { todo: known } : {}, async (t) => {
    const seeds = process.env.MODEL_SEED ? [Number(process.env.MODEL_SEED)] : [...Array(SEEDS).keys()];
    const coverage = {};
    // MODEL_KEEP_GOING=n: collect up to n shrunk failures (exploring past a first, known one).
    const keepGoing = Number(process.env.MODEL_KEEP_GOING ?? 0);
    const failures = [];
    for (const seed of seeds) {
      const { config, ops, statsEveryStep } = generate(seed, regime);
      const failure = await run(config, ops, statsEveryStep, coverage);
      if (failure) {
        const shrunk = await shrink(config, ops, statsEveryStep, failure);
        const message = report(regime, seed, config, shrunk, { ops, failure });
        t.diagnostic(message);
        failures.push(message);
        if (failures.length > keepGoing) break;
      }
    }
    if (failures.length > 0) throw new Error(failures.join("\n"));
    t.diagnostic(`${seeds.length} sequences of ${OPS} operations; totals: ${JSON.stringify(coverage)}`);
  });
}
