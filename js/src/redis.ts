// RedisStorage: a cache shared by processes and machines through the user's own Redis client.
//
// Layout in Redis (stable: other languages read it; see README "Redis"):
//   {prefix}generation           the namespace's generation, an integer (absent: 0); INCR = clear
//   {prefix}{generation}:v:{key}  a value, as the value serializer's text, with PX = its TTL
//   {prefix}{generation}:l:{key}  a key's lock while one process computes it (token, PX = lock TTL)
// Every operation is one Lua script call (one round trip) that reads the generation and acts on
// the current one, so a clear by any process is seen by every other on its next operation.

import { randomWords } from "./random.js";
import { StorageError, type SharedAsyncStorage, type SharedStats } from "./shared.js";
import { jsonValues, type ValueSerializer } from "./values.js";

/** Sends one Redis command (`["GET", "k"]`) and resolves with its reply. */
export type RedisCommand = (args: string[]) => Promise<unknown>;

/** A node-redis client (`sendCommand(args)`, packages `redis`/`@redis/client` 4+). */
export interface NodeRedisLike {
  sendCommand(args: string[]): Promise<unknown>;
}

/** An ioredis client (`call(command, ...args)`). */
export interface IoRedisLike {
  call(command: string, ...args: string[]): Promise<unknown>;
}

/** Options of {@link RedisStorage}. */
export interface RedisStorageOptions {
  /** The client: node-redis, ioredis, or a function sending one command. Not closed by the storage. */
  client: NodeRedisLike | IoRedisLike | RedisCommand;
  /** Prepended to every Redis key; one prefix is one namespace (cleared together). Default "cashier:". */
  prefix?: string;
  /** Default time to live in ms (Redis `PX`); omitted: entries never expire. */
  ttl?: number;
  /** How values become strings. Default {@link jsonValues}. */
  serializer?: ValueSerializer;
  /** The longest any one Redis operation may take, in ms, before it counts as failed. Default 500. */
  timeout?: number;
  /** After a failure, how long (ms) to leave Redis alone and just compute. Default 1000. */
  retryAfter?: number;
  /**
   * Distributed dedup: across processes only one computes a missing key. `true`, or
   * `{ ttl, poll }`: the lock's lifetime in ms (default 10000; after it a waiter computes
   * itself) and the longest pause between a waiter's checks (default 100 ms).
   */
  lock?: boolean | { ttl?: number; poll?: number };
  /** Told about every storage failure; the memoized call still returns its value. */
  onError?: (error: StorageError) => void;
}

// KEYS[1] = generation key; ARGV[1] = prefix, ARGV[2] = key.
const FETCH = `local g = redis.call('GET', KEYS[1]) or '0'
return {g, redis.call('GET', ARGV[1] .. g .. ':v:' .. ARGV[2])}`;

// ARGV[3] = value, ARGV[4] = ttl ms or "", ARGV[5] = the generation the caller read ("" = any),
// ARGV[6] = lock token or "". Stores only into the generation the value was computed for, and
// releases the caller's lock (compare-and-delete) in the same step.
const STORE = `local g = redis.call('GET', KEYS[1]) or '0'
local base = ARGV[1] .. g .. ':'
if ARGV[6] ~= '' and redis.call('GET', base .. 'l:' .. ARGV[2]) == ARGV[6] then
  redis.call('DEL', base .. 'l:' .. ARGV[2])
end
if ARGV[5] ~= '' and ARGV[5] ~= g then return 0 end
if ARGV[4] == '' then redis.call('SET', base .. 'v:' .. ARGV[2], ARGV[3])
else redis.call('SET', base .. 'v:' .. ARGV[2], ARGV[3], 'PX', ARGV[4]) end
return 1`;

const DELETE = `local g = redis.call('GET', KEYS[1]) or '0'
return redis.call('DEL', ARGV[1] .. g .. ':v:' .. ARGV[2])`;

// ARGV[3] = token, ARGV[4] = lock ms. The value if present, else the lock if free, else "wait".
const ACQUIRE = `local g = redis.call('GET', KEYS[1]) or '0'
local base = ARGV[1] .. g .. ':'
local v = redis.call('GET', base .. 'v:' .. ARGV[2])
if v then return {g, 'hit', v} end
if redis.call('SET', base .. 'l:' .. ARGV[2], ARGV[3], 'NX', 'PX', ARGV[4]) then return {g, 'locked'} end
return {g, 'wait'}`;

// Releases the caller's lock without storing (the computation failed).
const RELEASE = `local g = redis.call('GET', KEYS[1]) or '0'
local lock = ARGV[1] .. g .. ':l:' .. ARGV[2]
if redis.call('GET', lock) == ARGV[3] then return redis.call('DEL', lock) end
return 0`;

const SKIPPED = Symbol("cashier.redisSkipped");

function commandOf(client: RedisStorageOptions["client"]): RedisCommand {
  if (typeof client === "function") return client;
  if (typeof (client as IoRedisLike)?.call === "function") {
    const io = client as IoRedisLike;
    return (args) => io.call(args[0]!, ...args.slice(1));
  }
  if (typeof (client as NodeRedisLike)?.sendCommand === "function") {
    const node = client as NodeRedisLike;
    return (args) => node.sendCommand(args);
  }
  throw new TypeError("RedisStorage: client must be a node-redis client, an ioredis client, or a function(args) returning a promise");
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
 * timeout, so insertion order is deadline order and the timer only looks at the oldest.
 */
class Deadlines {
  private readonly pending = new Set<{ at: number; fail: () => void }>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly timeout: number) {}

  /** Calls `fail` once `timeout` ms have passed, unless {@link settle}d first. */
  add(fail: () => void): { at: number; fail: () => void } {
    const entry = { at: Date.now() + this.timeout, fail };
    this.pending.add(entry);
    this.timer ??= setTimeout(() => this.expire(), this.timeout);
    return entry;
  }

  settle(entry: { at: number; fail: () => void }): void {
    this.pending.delete(entry);
    if (this.pending.size === 0 && this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
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

/**
 * An async storage in Redis, shared by every process using the same prefix. Values go through a
 * value serializer; the namespace is cleared in O(1) by rotating its generation (`INCR`). A Redis
 * failure or timeout never fails a memoized call: it computes, reports to `onError`, and caching
 * resumes when Redis answers again.
 */
export class RedisStorage implements SharedAsyncStorage {
  readonly prefix: string;
  readonly ttl: number | undefined;
  private readonly command: RedisCommand;
  private readonly serializer: ValueSerializer;
  private readonly timeout: number;
  private readonly retryAfter: number;
  private readonly lock: { ttl: number; poll: number } | undefined;
  private readonly onError: ((error: StorageError) => void) | undefined;
  private readonly generationKey: string;
  private readonly shas = new Map<string, string>();
  private readonly deadlines: Deadlines;
  private readonly tokenBase = randomToken();
  private tokens = 0;
  private skipUntil = 0;
  private counters: SharedStats = { hits: 0, misses: 0, waits: 0, errors: 0 };

  constructor(options: RedisStorageOptions) {
    if (options === null || typeof options !== "object") throw new TypeError("RedisStorage: options with a client are required");
    this.command = commandOf(options.client);
    this.prefix = options.prefix ?? "cashier:";
    if (typeof this.prefix !== "string") throw new TypeError("RedisStorage: prefix must be a string");
    this.ttl = options.ttl === undefined ? undefined : whole("ttl", options.ttl, 0);
    this.serializer = options.serializer ?? jsonValues;
    if (typeof this.serializer?.serialize !== "function" || typeof this.serializer.deserialize !== "function") {
      throw new TypeError("RedisStorage: serializer must have serialize(value) and deserialize(text)");
    }
    this.timeout = whole("timeout", options.timeout, 500);
    this.retryAfter = whole("retryAfter", options.retryAfter, 1000);
    this.deadlines = new Deadlines(this.timeout);
    const lock = options.lock;
    if (lock) {
      const given = lock === true ? {} : lock;
      this.lock = { ttl: whole("lock.ttl", given.ttl, 10_000), poll: whole("lock.poll", given.poll, 100) };
    }
    this.onError = options.onError;
    this.generationKey = `${this.prefix}generation`;
  }

  /** The live value for `key`, or undefined (a stored undefined looks the same: use {@link has}). */
  async get(key: string): Promise<unknown> {
    const found = await this.fetch(key, "get");
    return found === SKIPPED || !found.hit ? undefined : found.value;
  }

  /** Whether `key` has a live value. */
  async has(key: string): Promise<boolean> {
    const found = await this.fetch(key, "get");
    return found !== SKIPPED && found.hit;
  }

  /** Stores `value` for `key` with its own `ttl` (ms) or the default. Failures go to `onError`. */
  async set(key: string, value: unknown, ttl?: number): Promise<void> {
    await this.store(key, value, ttl, "", "");
  }

  /** Removes `key`; true if a value was removed. */
  async delete(key: string): Promise<boolean> {
    const removed = await this.attempt("delete", () => this.script(DELETE, [this.generationKey], [this.prefix, key]));
    return removed !== SKIPPED && Number(removed) > 0;
  }

  /** Rotates the namespace's generation: every entry, in every process, becomes unreachable at once (they expire by their TTL). */
  async clear(): Promise<void> {
    await this.attempt("clear", () => this.run(["INCR", this.generationKey]));
  }

  /** The same as {@link clear}: one `INCR` that every process sees on its next operation. */
  async bumpVersion(): Promise<void> {
    await this.clear();
  }

  /** The namespace's current generation, or undefined when Redis cannot be reached. */
  async generation(): Promise<string | undefined> {
    const reply = await this.attempt("generation", () => this.run(["GET", this.generationKey]));
    return reply === SKIPPED ? undefined : String(reply ?? "0");
  }

  /** This process's counters. */
  stats(): SharedStats {
    return { ...this.counters };
  }

  /** See {@link SharedAsyncStorage.getOrCompute}; with `lock`, only one process computes a missing key. */
  async getOrCompute(key: string, compute: () => unknown, ttl?: number): Promise<unknown> {
    if (this.lock) return this.lockedGetOrCompute(key, compute, ttl, this.lock);
    const found = await this.fetch(key, "get");
    if (found !== SKIPPED && found.hit) {
      this.counters.hits++;
      return found.value;
    }
    this.counters.misses++;
    const value = await compute();
    if (found !== SKIPPED) await this.store(key, value, ttl, found.generation, "");
    return value;
  }

  private async lockedGetOrCompute(key: string, compute: () => unknown, ttl: number | undefined, lock: { ttl: number; poll: number }) {
    // Unique per call: this storage's random base (unique among processes) + a counter.
    const token = `${this.tokenBase}.${(this.tokens++).toString(36)}`;
    const started = Date.now();
    let pause = 2;
    let waited = false;
    for (;;) {
      const reply = await this.attempt("lock", () => this.script(ACQUIRE, [this.generationKey], [this.prefix, key, token, String(lock.ttl)]));
      if (reply === SKIPPED) {
        this.counters.misses++;
        return compute();
      }
      const [generation, state, text] = reply as [unknown, string, unknown];
      if (state === "hit") {
        const decoded = this.decode(text);
        if (decoded !== SKIPPED) {
          this.counters.hits++;
          return decoded;
        }
      }
      if (state === "locked" || state === "hit") {
        if (!waited) this.counters.misses++;
        let value: unknown;
        try {
          value = await compute();
        } catch (error) {
          await this.attempt("lock", () => this.script(RELEASE, [this.generationKey], [this.prefix, key, token]));
          throw error;
        }
        await this.store(key, value, ttl, String(generation), token);
        return value;
      }
      if (!waited) {
        waited = true;
        this.counters.waits++;
        this.counters.misses++;
      }
      if (Date.now() - started >= lock.ttl) {
        // The holder outlived its lock: compute without it (its lock has expired by now too).
        const value = await compute();
        await this.store(key, value, ttl, String(generation), "");
        return value;
      }
      await sleep(pause);
      pause = Math.min(pause * 2, lock.poll);
    }
  }

  private async fetch(key: string, operation: string): Promise<{ hit: boolean; value: unknown; generation: string } | typeof SKIPPED> {
    const reply = await this.attempt(operation, () => this.script(FETCH, [this.generationKey], [this.prefix, key]));
    if (reply === SKIPPED) return SKIPPED;
    const [generation, text] = reply as [unknown, unknown];
    if (text === null || text === undefined) return { hit: false, value: undefined, generation: String(generation) };
    const value = this.decode(text);
    return value === SKIPPED
      ? { hit: false, value: undefined, generation: String(generation) }
      : { hit: true, value, generation: String(generation) };
  }

  private async store(key: string, value: unknown, ttl: number | undefined, generation: string, token: string): Promise<void> {
    const ms = ttl === undefined ? this.ttl : whole("ttl", ttl, 0);
    let text: string;
    try {
      text = this.serializer.serialize(value);
    } catch (error) {
      this.report(new StorageError("serialize", error instanceof Error ? error.message : String(error), { cause: error }));
      if (token) await this.attempt("lock", () => this.script(RELEASE, [this.generationKey], [this.prefix, key, token]));
      return;
    }
    await this.attempt("set", () =>
      this.script(STORE, [this.generationKey], [this.prefix, key, text, ms === undefined ? "" : String(ms), generation, token]),
    );
  }

  private decode(text: unknown): unknown {
    try {
      return this.serializer.deserialize(String(text));
    } catch (error) {
      this.report(new StorageError("deserialize", error instanceof Error ? error.message : String(error), { cause: error }));
      return SKIPPED;
    }
  }

  /** Runs `operation` unless Redis failed within `retryAfter`; a failure is reported and gives SKIPPED. */
  private async attempt(operation: string, action: () => Promise<unknown>): Promise<unknown> {
    if (Date.now() < this.skipUntil) return SKIPPED;
    try {
      return await action();
    } catch (error) {
      this.skipUntil = Date.now() + this.retryAfter;
      this.report(error instanceof StorageError ? error : new StorageError(operation, error instanceof Error ? error.message : String(error), { cause: error }));
      return SKIPPED;
    }
  }

  private report(error: StorageError): void {
    this.counters.errors++;
    try {
      this.onError?.(error);
    } catch {
      // A throwing hook must not fail the call.
    }
  }

  /** One command, failed with a StorageError after `timeout` ms. */
  private run(args: string[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const deadline = this.deadlines.add(() => reject(new StorageError(args[0]!.toLowerCase(), `Redis did not answer within ${this.timeout} ms`)));
      let sent: Promise<unknown>;
      try {
        sent = Promise.resolve(this.command(args));
      } catch (error) {
        sent = Promise.reject(error);
      }
      sent.then(
        (reply) => {
          this.deadlines.settle(deadline);
          resolve(reply);
        },
        (error) => {
          this.deadlines.settle(deadline);
          reject(error);
        },
      );
    });
  }

  /** A Lua script by its SHA (loaded once per server; reloaded after a restart flushed it). */
  private async script(source: string, keys: string[], args: string[]): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      let sha = this.shas.get(source);
      if (sha === undefined) {
        sha = String(await this.run(["SCRIPT", "LOAD", source]));
        this.shas.set(source, sha);
      }
      try {
        return await this.run(["EVALSHA", sha, String(keys.length), ...keys, ...args]);
      } catch (error) {
        if (attempt === 0 && /NOSCRIPT/.test(String((error as Error)?.message ?? error))) {
          this.shas.delete(source);
          continue;
        }
        throw error;
      }
    }
  }
}
