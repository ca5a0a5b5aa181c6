// `timeout` for async computations: every caller of a computation that has not settled in time
// gets a TimeoutError, nothing is cached, the key is free for the next call, and the
// computation's AbortSignal (context.ts: computationSignal) is aborted so it can stop its work.

/** What every caller of a computation gets when it has not settled within its `timeout`. */
export class TimeoutError extends Error {
  override name = "TimeoutError";
  /** The computation's timeout, in milliseconds. */
  readonly timeout: number;
  constructor(functionName: string, timeout: number) {
    super(
      `memoize: ${functionName || "an anonymous function"} did not settle within ${timeout} ms; every caller gets this error, nothing is cached, and the next call computes afresh`,
    );
    this.timeout = timeout;
  }
}

/** @internal `started`, or a TimeoutError once `ms` pass first; then `controller` is aborted with
 * that error too. The timer keeps the process alive until then, as the callers await an answer
 * (a hung computation alone might not). */
export function withTimeout<T>(started: Promise<T>, ms: number, controller: AbortController, timedOut: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const error = timedOut();
      reject(error);
      controller.abort(error);
    }, ms);
    started.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
