// The default clock of the local storages.

/** The reading every call of the current synchronous run sees; NaN when none was taken. */
let reading = Number.NaN;

/** Forgets the reading once the current run of JavaScript (and the microtasks queued before
 * its first read) has finished. */
const forget = (): void => {
  reading = Number.NaN;
};
/** A settled promise: a reaction to it is the cheapest microtask (Node wraps every
 * `queueMicrotask` callback in an async resource), and fake timers never replace it. */
const settled = Promise.resolve();

/**
 * @internal
 * The default clock: `Date.now()`, read at most once per synchronous run of JavaScript — the
 * first read queues a promise reaction that forgets it, so every call made before that microtask runs
 * sees the same milliseconds. A burst of calls (a loop, a `Promise.all` of many calls) then costs
 * one clock read instead of one per call; an entry can be served for at most the rest of the run
 * in which its deadline passes, as with lru-cache's `ttlResolution`. Code awaiting anything sees
 * a fresh reading. A storage given its own `clock` reads that one on every call instead.
 */
export function runClock(): number {
  if (reading === reading) return reading;
  reading = Date.now();
  void settled.then(forget);
  return reading;
}
