// RedisStorage's lookups issued in one tick share one MGET: the storage's generation key first,
// then each lookup's value key. Every lookup is still one round trip (the command goes out at the
// end of the tick that asked), and the process sends one command, one write and one reply for all
// of them instead of one each — what a client's auto-pipelining does for the writes, and also for
// Redis's per-command work and the client's per-reply parsing.

const SETTLED = Promise.resolve();

/** The most keys one MGET carries; a tick that asks for more sends several. */
export const MAX_BATCH = 512;

/** Sends a command and settles the given functions with its reply or error. */
export type Send = (args: string[], resolve: (reply: unknown) => void, reject: (error: unknown) => void) => void;

/** One pending MGET: its command (`MGET`, the generation key, value keys) and the promise of its reply. */
export class MgetBatch {
  readonly args: string[];
  /** The MGET's reply: the generation (null when absent), then each value key's text (null: none or not a string). */
  readonly reply: Promise<unknown[]>;
  private resolve!: (reply: unknown) => void;
  private reject!: (error: unknown) => void;
  private sent = false;

  constructor(firstKey: string) {
    this.args = ["MGET", firstKey];
    this.reply = new Promise((resolve, reject) => {
      this.resolve = resolve as (reply: unknown) => void;
      this.reject = reject;
    });
  }

  /** Adds `valueKey`; returns where its text will be in {@link reply}. */
  add(valueKey: string): number {
    return this.args.push(valueKey) - 2;
  }

  /** Whether it holds {@link MAX_BATCH} value keys. */
  get full(): boolean {
    return this.args.length - 2 >= MAX_BATCH;
  }

  /** Sends the MGET (once). */
  send(send: Send): void {
    if (this.sent) return;
    this.sent = true;
    send(this.args, this.resolve, this.reject);
  }
}

/**
 * Gathers the value keys asked for in one tick into one {@link MgetBatch} per tick (a new one once
 * {@link MAX_BATCH} keys are waiting), sent by a microtask after the code that asked has run.
 */
export class MgetBatcher {
  private open: MgetBatch | undefined;

  constructor(
    private readonly generationKey: string,
    private readonly send: Send,
  ) {}

  /** The MGET this tick's lookups join: `batch().add(valueKey)`, then await its `reply`. */
  batch(): MgetBatch {
    const open = this.open;
    if (open !== undefined && !open.full) return open;
    if (open !== undefined) this.flush(open);
    const opened = new MgetBatch(this.generationKey);
    this.open = opened;
    // A continuation of a settled promise, not queueMicrotask (which Node wraps in an async resource).
    SETTLED.then(() => this.flush(opened));
    return opened;
  }

  private flush(batch: MgetBatch): void {
    if (this.open === batch) this.open = undefined;
    batch.send(this.send);
  }
}
