// The default clock of the local storages.

/** Clock reads after which a run of JavaScript keeps its reading until it ends. */
const READS_PER_RUN = 16;

/** The reading the rest of the current run sees; NaN while every read goes to `Date.now()`. */
let reading = Number.NaN;
/** Reads from `Date.now()` since a reading was last kept. */
let reads = 0;

/** Forgets the kept reading: queued when it is kept, so it runs once the current run of
 * JavaScript (and the microtasks already queued) has finished. */
const forget = (): void => {
  reading = Number.NaN;
};
/** A settled promise: a reaction to it is the cheapest microtask (Node wraps every
 * `queueMicrotask` callback in an async resource), and fake timers never replace it. */
const settled = Promise.resolve();

/**
 * @internal
 * The default clock: `Date.now()`, except inside a burst. Every 16th read keeps its reading for
 * the rest of the current run of JavaScript (a promise reaction queued then forgets it), so the
 * calls of one loop or one `Promise.all` cost a few clock reads instead of one each, while calls
 * made one per run (each after an `await`) read the clock every time and pay one promise reaction
 * per 16 calls. An entry can be served for at most the rest of the run in which its deadline
 * passes, as with lru-cache's `ttlResolution`. A storage given its own `clock` reads that one on
 * every call.
 */
export function runClock(): number {
  if (reading === reading) return reading;
  const now = Date.now();
  if (++reads === READS_PER_RUN) {
    reads = 0;
    reading = now;
    void settled.then(forget);
  }
  return now;
}
