// RedisStorage: a cache shared by processes and machines through the user's own Redis client.
//
// Layout in Redis (stable: other languages read it; see README "Redis"). {base} is the prefix,
// or "{" + prefix + "}" on a Redis Cluster (a hash tag: every key of a storage in one slot):
//   {base}generation             the namespace's generation, an integer (absent: 0); INCR = clear
//   {base}{generation}:v:{key}    a value, as the value serializer's text, with PX = its TTL
//   {base}{generation}:l:{key}    a key's lock while one process computes it (its token, PX = the
//                                 lock's lease, renewed by the holder while it computes)
// Every operation is one round trip that reads the generation and acts on the current one, so a
// clear by any process is seen by every other on its next operation: a Lua script, except the
// lookup of getOrCompute once the generation is known, which is one MGET of the generation key and
// the value key of the generation last seen (no script to run: a hit costs Redis what a GET does;
// the lookups of one tick share one MGET, see redis-batch.ts). The MGET is atomic: if the
// generation it returns is the one assumed, the value is that generation's; if not (a clear), the
// lookup is done again by script.
// A delete also publishes the key on the channel {prefix}invalidate (in the same script), which
// TieredStorage's subscribers use to drop it from their L1s.

import { randomWords } from "./random.js";
import { StorageError, type SharedAsyncStorage, type SharedStats } from "./shared.js";
import { jsonValues, type ValueSerializer } from "./values.js";
import { MgetBatcher } from "./redis-batch.js";
import { ACQUIRE, DELETE, FETCH, RELEASE, RENEW, STORE } from "./redis-scripts.js";

/**
 * Sends one Redis command (`["GET", "k"]`) and resolves with its reply. `key` is the command's
 * first key (undefined for `SCRIPT LOAD`), for a function that routes commands to a cluster's nodes.
 */
export type RedisCommand = (args: string[], key?: string) => Promise<unknown>;

/** A node-redis client (`sendCommand(args)`, packages `redis`/`@redis/client` 4+). */
export interface NodeRedisLike {
  sendCommand(args: string[]): Promise<unknown>;
}

/** An ioredis client or `Cluster` (`call(command, ...args)`; a cluster has `isCluster: true`). */
export interface IoRedisLike {
  call(command: string, ...args: string[]): Promise<unknown>;
  readonly isCluster?: boolean;
}

/** A node-redis cluster (`createCluster`; its `sendCommand` takes the key to route by first). */
export interface NodeRedisClusterLike {
  sendCommand(firstKey: string | undefined, isReadonly: boolean | undefined, args: string[]): Promise<unknown>;
  readonly masters: readonly unknown[];
}

/** Options of {@link RedisStorage}. */
export interface RedisStorageOptions {
  /**
   * The client: node-redis (a client or a `createCluster` cluster), ioredis (a client or a
   * `Cluster`), or a function sending one command. Not closed by the storage.
   */
  client: NodeRedisLike | NodeRedisClusterLike | IoRedisLike | RedisCommand;
  /**
   * Whether Redis is a Redis Cluster: every key then starts with the hash tag `{prefix}`, so all
   * keys of this storage live in one slot (each script touches one slot; `clear` stays one
   * `INCR`). Default: true for an ioredis `Cluster` or a node-redis cluster, else false.
   */
  cluster?: boolean;
  /** Prepended to every Redis key; one prefix is one namespace (cleared together). Default "cashier:". */
  prefix?: string;
  /** Default time to live in ms (Redis `PX`); omitted: entries never expire. */
  ttl?: number;
  /** How values become strings. Default {@link jsonValues}. */
  serializer?: ValueSerializer;
  /** The longest any one Redis command may take, in ms, before it counts as failed. Default 500. */
  timeout?: number;
  /** After a connection-level failure (error or timeout), how long (ms) to leave Redis alone and just compute. Default 1000. */
  retryAfter?: number;
  /**
   * Distributed dedup: across processes only one computes a missing key. `true`, or
   * `{ ttl, poll, lease }`: `ttl` is the longest one computation keeps its key locked (default
   * 10000; a waiter computes itself after waiting that long); `poll` the longest pause between a
   * waiter's checks (default 100 ms); `lease` the lock's lifetime in Redis, renewed every
   * `lease / 2` while the holder computes, so a lock whose holder died, hung or gave up (a lock
   * request that timed out) blocks the others for at most `lease` ms (default
   * `min(ttl, 4 × timeout)`: 2000 ms; at most `ttl`; keep it above `2 × timeout` so a renewal
   * lands before the lease ends).
   */
  lock?: boolean | { ttl?: number; poll?: number; lease?: number };
  /** Told about every storage failure (see {@link StorageError}); the memoized call still returns its value. */
  onError?: (error: StorageError) => void;
}

// The scripts (interop/redis/scripts/*.lua, their one copy, shared with the Python package; see
// the README there for their arguments and replies) run as one atomic step each.

/** A Redis command that failed or timed out; {@link RedisStorage} reports it as a StorageError of its operation. */
class CommandFailure extends Error {
  constructor(
    readonly command: string,
    message: string,
    readonly original?: unknown,
  ) {
    super(message);
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The first key of one of the storage's commands (EVAL/EVALSHA after numkeys; GET/INCR), for routing. */
function firstKeyOf(args: string[]): string | undefined {
  if (args[0] === "EVALSHA" || args[0] === "EVAL") return Number(args[2]) > 0 ? args[3] : undefined;
  return args[0] === "SCRIPT" ? undefined : args[1];
}

const SKIPPED = Symbol("cashier.redisSkipped");

/** Whether `client` is a Redis Cluster client (ioredis `Cluster`, node-redis `createCluster`). */
function isClusterClient(client: RedisStorageOptions["client"]): boolean {
  if (typeof client !== "object" || client === null) return false;
  if (typeof (client as IoRedisLike).call === "function") return (client as IoRedisLike).isCluster === true;
  return Array.isArray((client as NodeRedisClusterLike).masters);
}

function commandOf(client: RedisStorageOptions["client"]): RedisCommand {
  if (typeof client === "function") return client;
  if (typeof (client as IoRedisLike)?.call === "function") {
    // ioredis routes by the keys it finds in the command (EVALSHA's numkeys included).
    const io = client as IoRedisLike;
    return (args) => io.call(args[0]!, ...args.slice(1));
  }
  if (isClusterClient(client)) {
    const cluster = client as NodeRedisClusterLike;
    return (args, key) => cluster.sendCommand(key, false, args);
  }
  if (typeof (client as NodeRedisLike)?.sendCommand === "function") {
    const node = client as NodeRedisLike;
    return (args) => node.sendCommand(args);
  }
  throw new TypeError("RedisStorage: client must be a node-redis client or cluster, an ioredis client or Cluster, or a function(args) returning a promise");
}

function whole(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`RedisStorage: ${name} must be a whole number of ms ≥ 1, not ${value}`);
  return value;
}

function randomToken(): string {
  return Array.from(randomWords(4), (w) => w.toString(16).padStart(8, "0")).join("");
}

/**
 * Timeouts of in-flight commands with one timer, not one each: every command has the same
 * timeout, so insertion order is deadline order and the timer only looks at the oldest. The timer
 * outlives a moment with nothing in flight (unreferenced then, so it never keeps Node alive):
 * commands sent one at a time arm no timer each.
 */
class Deadlines {
  private readonly pending = new Set<{ at: number; fail: () => void }>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly timeout: number) {}

  /** Calls `fail` once `timeout` ms have passed, unless {@link settle}d first. */
  add(fail: () => void): { at: number; fail: () => void } {
    const entry = { at: Date.now() + this.timeout, fail };
    this.pending.add(entry);
    if (this.timer === undefined) this.timer = setTimeout(() => this.expire(), this.timeout);
    else if (this.pending.size === 1) ref(this.timer, true);
    return entry;
  }

  settle(entry: { at: number; fail: () => void }): void {
    this.pending.delete(entry);
    if (this.pending.size === 0 && this.timer !== undefined) ref(this.timer, false);
  }

  private expire(): void {
    this.timer = undefined;
    const now = Date.now();
    for (const entry of this.pending) {
      if (entry.at > now) {
        this.timer = setTimeout(() => this.expire(), entry.at - now);
        return;
      }
      this.pending.delete(entry);
      entry.fail();
    }
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Lets a timer not keep Node alive (renewals only matter while a computation runs). */
function unref(timer: ReturnType<typeof setTimeout>): void {
  (timer as { unref?: () => void }).unref?.();
}

/** Whether a timer keeps Node alive (where timers have `ref`/`unref`; elsewhere a no-op). */
function ref(timer: ReturnType<typeof setTimeout>, keepAlive: boolean): void {
  const handle = timer as { ref?: () => void; unref?: () => void };
  if (keepAlive) handle.ref?.();
  else handle.unref?.();
}

type LockOptions = { ttl: number; poll: number; lease: number };

/** A lookup's result: a hit and its value, or a miss; `generation` is the one it was read in. */
type Found = { hit: boolean; value: unknown; generation: string };

/**
 * An async storage in Redis, shared by every process using the same prefix. Values go through a
 * value serializer; the namespace is cleared in O(1) by rotating its generation (`INCR`). A Redis
 * failure or timeout never fails a memoized call: it computes, reports to `onError`, and caching
 * resumes when Redis answers again. A fault of one key (a value or lock key of the wrong Redis
 * type, a value the serializer cannot read) is reported with that key, the key is dropped or
 * overwritten by the recomputed value, and every other key stays cached.
 */
export class RedisStorage implements SharedAsyncStorage {
  readonly prefix: string;
  /** Whether keys carry the cluster hash tag (see {@link RedisStorageOptions.cluster}). */
  readonly cluster: boolean;
  /** What every Redis key of this storage starts with: the prefix, or `{prefix}` on a cluster. */
  readonly base: string;
  /** The pub/sub channel a `delete` publishes its key on: `{prefix}invalidate` (see TieredStorage). */
  readonly channel: string;
  readonly ttl: number | undefined;
  readonly #command: RedisCommand;
  readonly #serializer: ValueSerializer;
  readonly #timeout: number;
  readonly #retryAfter: number;
  readonly #lock: LockOptions | undefined;
  readonly #onError: ((error: StorageError) => void) | undefined;
  readonly #generationKey: string;
  readonly #shas = new Map<string, string>();
  readonly #deadlines: Deadlines;
  readonly #tokenBase = randomToken();
  #tokens = 0;
  #skipUntil = 0;
  /** The generation this storage last read (undefined: none yet), which a lookup by MGET assumes. */
  #known: string | undefined;
  /** The MGET this tick's lookups share. */
  readonly #batcher: MgetBatcher;
  #counters: SharedStats = { hits: 0, misses: 0, waits: 0, errors: 0 };

  constructor(options: RedisStorageOptions) {
    if (options === null || typeof options !== "object") throw new TypeError("RedisStorage: options with a client are required");
    this.#command = commandOf(options.client);
    this.prefix = options.prefix ?? "cashier:";
    if (typeof this.prefix !== "string") throw new TypeError("RedisStorage: prefix must be a string");
    this.ttl = options.ttl === undefined ? undefined : whole("ttl", options.ttl, 0);
    this.#serializer = options.serializer ?? jsonValues;
    if (typeof this.#serializer?.serialize !== "function" || typeof this.#serializer.deserialize !== "function") {
      throw new TypeError("RedisStorage: serializer must have serialize(value) and deserialize(text)");
    }
    this.#timeout = whole("timeout", options.timeout, 500);
    this.#retryAfter = whole("retryAfter", options.retryAfter, 1000);
    this.#deadlines = new Deadlines(this.#timeout);
    const lock = options.lock;
    if (lock) {
      const given = lock === true ? {} : lock;
      const ttl = whole("lock.ttl", given.ttl, 10_000);
      // A lease longer than ttl would only let an abandoned lock outlive the longest hold.
      const lease = Math.min(ttl, whole("lock.lease", given.lease, 4 * this.#timeout));
      this.#lock = { ttl, poll: whole("lock.poll", given.poll, 100), lease };
    }
    this.#onError = options.onError;
    this.cluster = options.cluster ?? isClusterClient(options.client);
    if (typeof this.cluster !== "boolean") throw new TypeError("RedisStorage: cluster must be a boolean");
    // A hash tag "{}" (empty prefix, or one starting with "}") would hash the whole key: no shared slot.
    if (this.cluster && (this.prefix === "" || this.prefix.startsWith("}"))) {
      throw new RangeError(`RedisStorage: on a cluster the prefix is the keys' hash tag, so it must be non-empty and not start with "}" (got ${JSON.stringify(this.prefix)})`);
    }
    this.base = this.cluster ? `{${this.prefix}}` : this.prefix;
    this.channel = `${this.prefix}invalidate`;
    this.#generationKey = `${this.base}generation`;
    this.#batcher = new MgetBatcher(this.#generationKey, (args, resolve, reject) => this.#send(args, resolve, reject));
  }

  /** The live value for `key`, or undefined (a stored undefined looks the same: use {@link has}). */
  async get(key: string): Promise<unknown> {
    const found = await this.#fetch(key);
    return found === SKIPPED || !found.hit ? undefined : found.value;
  }

  /** Whether `key` has a live value. */
  async has(key: string): Promise<boolean> {
    const found = await this.#fetch(key);
    return found !== SKIPPED && found.hit;
  }

  /** Stores `value` for `key` with its own `ttl` (ms) or the default. Failures go to `onError`. */
  async set(key: string, value: unknown, ttl?: number): Promise<void> {
    await this.#store(key, value, ttl, "", "");
  }

  /** Removes `key`; true if a value was removed. */
  async delete(key: string): Promise<boolean> {
    const removed = await this.#attempt("delete", key, () => this.#script(DELETE, [this.#generationKey], [this.base, key, this.channel]));
    return removed !== SKIPPED && Number(removed) > 0;
  }

  /** Rotates the namespace's generation: every entry, in every process, becomes unreachable at once (they expire by their TTL). */
  async clear(): Promise<void> {
    const generation = await this.#attempt("clear", undefined, () => this.#run(["INCR", this.#generationKey]));
    // INCR answers the new generation: the next lookup can assume it (one MGET, not two round trips).
    if (generation !== SKIPPED) this.#known = String(generation);
  }

  /** The same as {@link clear}: one `INCR` that every process sees on its next operation. */
  async bumpVersion(): Promise<void> {
    await this.clear();
  }

  /** The namespace's current generation, or undefined when Redis cannot be reached. */
  async generation(): Promise<string | undefined> {
    const reply = await this.#attempt("generation", undefined, () => this.#run(["GET", this.#generationKey]));
    return reply === SKIPPED ? undefined : String(reply ?? "0");
  }

  /** This process's counters. */
  stats(): SharedStats {
    return { ...this.#counters };
  }

  /** See {@link SharedAsyncStorage.getOrCompute}; with `lock`, only one process computes a missing key. */
  async getOrCompute(key: string, compute: () => unknown, ttl?: number): Promise<unknown> {
    if (this.#lock) return this.#lockedGetOrCompute(key, compute, ttl, this.#lock);
    const found = await this.#lookup(key);
    if (found !== SKIPPED && found.hit) {
      this.#counters.hits++;
      return found.value;
    }
    this.#counters.misses++;
    const value = await compute();
    if (found !== SKIPPED) {
      // A value key of the wrong type read as missing (MGET): STORE replaced it and names it here.
      const dropped = await this.#store(key, value, ttl, found.generation, "");
      if (dropped) this.#dropped("get", key, dropped);
    }
    return value;
  }

  async #lockedGetOrCompute(key: string, compute: () => unknown, ttl: number | undefined, lock: LockOptions) {
    // Unique per call: this storage's random base (unique among processes) + a counter.
    const token = `${this.#tokenBase}.${(this.#tokens++).toString(36)}`;
    const started = Date.now();
    let pause = 2;
    let waited = false;
    for (;;) {
      const reply = await this.#attempt("lock", key, () => this.#acquire(key, token, lock));
      if (reply === SKIPPED) {
        if (!waited) this.#counters.misses++;
        return compute();
      }
      const [generation, state, text, dropped] = reply as [unknown, string, unknown, unknown];
      if (dropped) this.#dropped("lock", key, dropped);
      if (state === "hit") {
        const decoded = this.#decode(key, text);
        if (decoded !== SKIPPED) {
          this.#counters.hits++;
          return decoded;
        }
      }
      if (state === "locked" || state === "hit") {
        if (!waited) this.#counters.misses++;
        // An undecodable value ("hit" that decode reported) is overwritten by the recomputed one.
        return this.#computeHolding(key, compute, ttl, String(generation), state === "locked" ? token : "", lock);
      }
      if (!waited) {
        waited = true;
        this.#counters.waits++;
        this.#counters.misses++;
      }
      if (Date.now() - started >= lock.ttl) {
        // The holder outlived its lock: compute without it (its lock has expired by now too).
        return this.#computeHolding(key, compute, ttl, String(generation), "", lock);
      }
      await sleep(pause);
      pause = Math.min(pause * 2, lock.poll);
    }
  }

  /**
   * ACQUIRE for `token`. If the command fails or times out it may still run later (a hung server
   * resumes, a client resends): the lock it would take is released at once — a compare-and-delete
   * sent right behind it on the client's connection — and again if a late reply says it was taken.
   * Whatever escapes both (a reply lost with its connection) lives at most `lease` ms.
   */
  #acquire(key: string, token: string, lock: LockOptions): Promise<unknown> {
    const late = (reply: unknown) => {
      if (Array.isArray(reply) && reply[1] === "locked") this.#cancel(key, token, String(reply[0]));
    };
    return this.#script(ACQUIRE, [this.#generationKey], [this.base, key, token, String(lock.lease)], late).catch((error: unknown) => {
      this.#cancel(key, token, "");
      throw error;
    });
  }

  /** Releases `token`'s lock on `key`, unawaited and unreported (the fault that calls it was reported). */
  #cancel(key: string, token: string, generation: string): void {
    try {
      // EVAL, not EVALSHA: one command, queued at once, that works even on a server that lost its scripts.
      Promise.resolve(this.#command(["EVAL", RELEASE, "1", this.#generationKey, this.base, key, token, generation], this.#generationKey)).catch(() => {});
    } catch {
      // A client that throws at once has sent nothing: nothing to release.
    }
  }

  /** Computes and stores `key`, holding (and renewing) `token`'s lock if there is one; a rejection releases it. */
  async #computeHolding(key: string, compute: () => unknown, ttl: number | undefined, generation: string, token: string, lock: LockOptions) {
    const stop = token ? this.#keepLock(key, generation, token, lock) : undefined;
    let value: unknown;
    try {
      value = await compute();
    } catch (error) {
      stop?.();
      if (token) await this.#attempt("lock", key, () => this.#script(RELEASE, [this.#generationKey], [this.base, key, token, generation]));
      throw error;
    }
    stop?.();
    await this.#store(key, value, ttl, generation, token);
    return value;
  }

  /**
   * Renews `token`'s lock every `lease / 2` ms while its holder computes, up to `ttl` ms after it was
   * taken; returns the function that stops renewing. A renewal that fails stops the renewals: the
   * lock then expires within `lease` and another process may compute the key too.
   */
  #keepLock(key: string, generation: string, token: string, lock: LockOptions): () => void {
    if (lock.lease >= lock.ttl) return () => {}; // the lock's first lifetime already covers the longest hold
    const until = Date.now() + lock.ttl;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const renew = async () => {
      const ms = Math.min(lock.lease, until - Date.now());
      if (stopped || ms <= 0) return;
      const renewed = await this.#attempt("lock", key, () => this.#script(RENEW, [this.#generationKey], [this.base, key, token, generation, String(Math.ceil(ms))]));
      if (!stopped && renewed !== SKIPPED && Number(renewed) === 1) schedule();
    };
    const schedule = () => {
      timer = setTimeout(() => void renew(), lock.lease / 2);
      unref(timer);
    };
    schedule();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }

  async #fetch(key: string): Promise<Found | typeof SKIPPED> {
    const reply = await this.#attempt("get", key, () => this.#script(FETCH, [this.#generationKey], [this.base, key]));
    if (reply === SKIPPED) return SKIPPED;
    const [generation, text, dropped] = reply as [unknown, unknown, unknown];
    if (dropped) this.#dropped("get", key, dropped);
    return this.#found(key, String(generation), text);
  }

  /**
   * The lookup of getOrCompute: one MGET of the generation key and `key`'s value key in the
   * generation last seen — no script, so a hit costs Redis a GET's work — shared with the other
   * lookups of the same tick (see redis-batch.ts). A value key of another
   * Redis type reads as missing (the store that follows replaces it and reports it). Before any
   * generation is known, or when it has changed (a clear), the lookup is FETCH's.
   */
  async #lookup(key: string): Promise<Found | typeof SKIPPED> {
    const known = this.#known;
    if (known === undefined) return this.#fetch(key);
    let index = 0;
    const reply = await this.#attempt("get", key, () => {
      const batch = this.#batcher.batch();
      index = batch.add(`${this.base}${known}:v:${key}`);
      return batch.reply;
    });
    if (reply === SKIPPED) return SKIPPED;
    const current = (reply as unknown[])[0];
    const text = (reply as unknown[])[index];
    const generation = current === null || current === undefined ? "0" : String(current);
    if (generation !== known) return this.#fetch(key);
    return this.#found(key, generation, text);
  }

  /** A lookup's result for the value text `text` (null: none) read in `generation`, which is remembered. */
  #found(key: string, generation: string, text: unknown): Found {
    this.#known = generation;
    if (text === null || text === undefined) return { hit: false, value: undefined, generation };
    const value = this.#decode(key, text);
    return value === SKIPPED ? { hit: false, value: undefined, generation } : { hit: true, value, generation };
  }

  /** Serializes and stores `value` (STORE); resolves with the error of a wrong-typed value key it replaced, if any. */
  async #store(key: string, value: unknown, ttl: number | undefined, generation: string, token: string): Promise<unknown> {
    const ms = ttl === undefined ? this.ttl : whole("ttl", ttl, 0);
    let text: string;
    try {
      text = this.#serializer.serialize(value);
    } catch (error) {
      this.#report(new StorageError("serialize", messageOf(error), { cause: error, key }));
      if (token) await this.#attempt("lock", key, () => this.#script(RELEASE, [this.#generationKey], [this.base, key, token, generation]));
      return undefined;
    }
    const reply = await this.#attempt("set", key, () =>
      this.#script(STORE, [this.#generationKey], [this.base, key, text, ms === undefined ? "" : String(ms), generation, token]),
    );
    return Array.isArray(reply) ? reply[1] : undefined;
  }

  /** The value `text` stands for, or SKIPPED after reporting (the caller recomputes and overwrites it). */
  #decode(key: string, text: unknown): unknown {
    try {
      return this.#serializer.deserialize(String(text));
    } catch (error) {
      this.#report(new StorageError("deserialize", messageOf(error), { cause: error, key }));
      return SKIPPED;
    }
  }

  /** Reports a key a script dropped because it held the wrong Redis type; Redis stays on for the other keys. */
  #dropped(operation: string, key: string, error: unknown): void {
    this.#report(new StorageError(operation, `the key's Redis entry had the wrong type and was dropped (${String(error)})`, { key, command: "EVALSHA" }));
  }

  /**
   * Runs `action` unless Redis failed within `retryAfter`. A failure (the connection's: errors and
   * timeouts; one key's faults never get here) is reported as `operation` and switches Redis off for
   * `retryAfter` ms; it gives SKIPPED.
   */
  async #attempt(operation: string, key: string | undefined, action: () => Promise<unknown>): Promise<unknown> {
    if (Date.now() < this.#skipUntil) return SKIPPED;
    try {
      return await action();
    } catch (error) {
      this.#skipUntil = Date.now() + this.#retryAfter;
      const failure = error instanceof CommandFailure ? error : undefined;
      const message = failure ? `${failure.message} (${failure.command})` : messageOf(error);
      this.#report(new StorageError(operation, message, { cause: failure ? failure.original : error, key, command: failure?.command }));
      return SKIPPED;
    }
  }

  /**
   * Counts `error` in `stats().errors` and gives it to `onError`, as the storage's own faults are:
   * for a storage built on this one (TieredStorage reports its subscription's faults here).
   */
  reportError(error: StorageError): void {
    this.#report(error);
  }

  #report(error: StorageError): void {
    this.#counters.errors++;
    try {
      this.#onError?.(error);
    } catch {
      // A throwing hook must not fail the call.
    }
  }

  /**
   * One command, failed with a CommandFailure after `timeout` ms. A reply arriving after that is
   * given to `late` (the command did run: its caller may need to undo it).
   */
  #run(args: string[], late?: (reply: unknown) => void): Promise<unknown> {
    return new Promise((resolve, reject) => this.#send(args, resolve, reject, late));
  }

  /** {@link run}, settling `resolve`/`reject` (a batch's own promise: no promise of its own). */
  #send(args: string[], resolve: (reply: unknown) => void, reject: (error: unknown) => void, late?: (reply: unknown) => void): void {
    const command = args[0] === "SCRIPT" ? `SCRIPT ${args[1]}` : args[0]!;
    let expired = false;
    const deadline = this.#deadlines.add(() => {
      expired = true;
      reject(new CommandFailure(command, `Redis did not answer within ${this.#timeout} ms`));
    });
    let sent: Promise<unknown>;
    try {
      sent = Promise.resolve(this.#command(args, firstKeyOf(args)));
    } catch (error) {
      sent = Promise.reject(error);
    }
    sent.then(
      (reply) => {
        this.#deadlines.settle(deadline);
        if (!expired) resolve(reply);
        else if (late) {
          try {
            late(reply);
          } catch {
            // Undoing is best effort; the lease bounds what it misses.
          }
        }
      },
      (error) => {
        this.#deadlines.settle(deadline);
        reject(new CommandFailure(command, messageOf(error), error));
      },
    );
  }

  /**
   * A Lua script by its SHA (`SCRIPT LOAD` once, to learn it). A server that lacks the script (it
   * restarted, or it is another cluster node than the one that loaded it) answers NOSCRIPT: the
   * script is then sent whole (`EVAL`), which also caches it on that server.
   */
  async #script(source: string, keys: string[], args: string[], late?: (reply: unknown) => void): Promise<unknown> {
    let sha = this.#shas.get(source);
    if (sha === undefined) {
      sha = String(await this.#run(["SCRIPT", "LOAD", source]));
      this.#shas.set(source, sha);
    }
    try {
      return await this.#run(["EVALSHA", sha, String(keys.length), ...keys, ...args], late);
    } catch (error) {
      if (!/NOSCRIPT/.test(messageOf(error))) throw error;
      return this.#run(["EVAL", source, String(keys.length), ...keys, ...args], late);
    }
  }
}
