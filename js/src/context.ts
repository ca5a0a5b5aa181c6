// Re-entrancy detection for async computations: which pending computations ("flights") the
// running code is part of. Internal: the runtime entries that have AsyncLocalStorage provide it
// (provideAsyncContext); nothing here is exported from the package.

/** @internal A pending computation shared by every caller of one key. */
export interface Flight {
  /** Its ticket's serial. */
  serial: number;
  promise: Promise<unknown>;
  /** Aborted when the computation is given up (its `timeout` passed). */
  signal?: AbortSignal;
}

/**
 * The `AbortSignal` of the computation the running code is part of, when it has a `timeout`:
 * aborted (with a `TimeoutError`) once the timeout passes and every caller has been answered,
 * so the computation can stop its own work (pass it to `fetch`, a database driver, ...).
 * Call it in the computation's synchronous part (before its first `await`), which works in
 * every runtime; where `AsyncLocalStorage` exists (Node, Deno, Bun) it works after awaits too.
 * `undefined` outside such a computation.
 */
export function computationSignal(): AbortSignal | undefined {
  const lineage = currentFlights();
  for (let i = lineage.length - 1; i >= 0; i--) {
    const signal = lineage[i]!.signal;
    if (signal !== undefined) return signal;
  }
  return undefined;
}

/**
 * @internal
 * Async context: the flights whose computation the current code runs inside. Set by runtimes
 * that have Node's built-ins (the Node/Deno/Bun and CommonJS entries); elsewhere only the
 * synchronous part of a computation is tracked.
 */
export interface FlightContext {
  getStore(): readonly Flight[] | undefined;
  run<R>(store: readonly Flight[], callback: () => R): R;
  /** Stops tracking until the next `run` (Node then removes its promise hooks). */
  disable?(): void;
}

/** @internal What a runtime entry provides: how to make the context. */
export interface AsyncContextProvider {
  make(): FlightContext;
}

let provider: AsyncContextProvider | undefined;
let flightContext: FlightContext | undefined;
/**
 * Computations running inside the flight context. Tracking costs every promise in the process
 * something (promise hooks are installed while it is enabled), so the context is
 * switched off whenever no computation is pending: hits and idle time pay nothing.
 */
let contextUsers = 0;
/** Flights whose computation is running synchronously right now (always tracked). */
let synchronousFlights: readonly Flight[] = [];

/** @internal Called by runtime entries that provide AsyncLocalStorage. */
export function provideAsyncContext(given: AsyncContextProvider): void {
  provider = given;
}

/** @internal The flights the running code is inside, for a new computation's lineage. */
export function currentFlights(): readonly Flight[] {
  return flightContext?.getStore() ?? synchronousFlights;
}

/**
 * @internal
 * Whether a call joining `flight` comes from inside that flight's own computation, which would
 * then wait for itself forever: its synchronous part, or (with an async context) a promise
 * continuation of it. A callback the computation only scheduled (a timer, an event) is not
 * awaited by it, so it joins like any other caller.
 */
export function insideFlight(flight: Flight): boolean {
  if (synchronousFlights.includes(flight)) return true;
  const store = flightContext?.getStore();
  return store !== undefined && store.includes(flight);
}

/** @internal Runs `compute` as the computation of the last flight of `lineage`: synchronously tracked,
 * and inside the async context. Pair with {@link leaveContext} once its promise has settled
 * (or it threw). */
export function runComputation<R>(lineage: readonly Flight[], compute: () => R): R {
  const outer = synchronousFlights;
  synchronousFlights = lineage;
  try {
    // Until a computation runs in it, no code can be inside a flight: the context may wait.
    if (flightContext === undefined && provider !== undefined) flightContext = provider.make();
    if (flightContext === undefined) return compute();
    contextUsers++;
    return flightContext.run(lineage, compute);
  } finally {
    synchronousFlights = outer;
  }
}

/** @internal Ends what {@link runComputation} started. */
export function leaveContext(): void {
  if (flightContext !== undefined && contextUsers > 0 && --contextUsers === 0) flightContext.disable?.();
}

/** @internal The lineage of a flight the running code starts: the flights it runs inside, then
 * `flight`. Taken when the flight starts, as its computation may run later (a shared storage's
 * lock) in another context. */
export function lineageOf(flight: Flight): readonly Flight[] {
  return [...currentFlights(), flight];
}

/** @internal {@link runComputation}, leaving the context at once if `compute` throws; otherwise
 * the caller leaves it ({@link leaveContext}) once the result has settled. */
export function runFlight<R>(lineage: readonly Flight[], compute: () => R): R {
  try {
    return runComputation(lineage, compute);
  } catch (error) {
    leaveContext();
    throw error;
  }
}

/** How an error message names the function memoized as `name`. */
function called(name: string): string {
  return name || "an anonymous function";
}

/** @internal The error for a computation that awaited its own pending call (a join from inside
 * the flight: {@link insideFlight}). */
export function asyncReentrancyError(name: string): Error {
  return new Error(`memoize: ${called(name)} awaited its own pending call with the same arguments (async re-entrancy); it would wait for itself forever`);
}

/** @internal The error for a synchronous computation that called itself with its own arguments. */
export function syncReentrancyError(name: string): Error {
  return new Error(`memoize: ${called(name)} was called again with the same arguments while computing them (synchronous re-entrancy)`);
}
