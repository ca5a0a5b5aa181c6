// RedisStorage's lookups issued in one tick share one MGET: the storage's generation key first,
// then each lookup's value key. Every lookup is still one round trip (the command goes out at the
// end of the tick that asked), and the process sends one command, one write and one reply for all
// of them instead of one each — what a client's auto-pipelining does for the writes, and also for
// Redis's per-command work and the client's per-reply parsing.

/** The most keys one MGET carries; a tick that asks for more sends several. */
export const MAX_BATCH = 512;

/** One pending MGET: its command (`MGET`, the generation key, value keys) and the promise of its reply. */
export class MgetBatch {
  readonly args: string[];
  readonly reply: Promise<unknown>;
  private settle!: { resolve: (reply: unknown) => void; reject: (error: unknown) => void };
  private sent = false;

  constructor(firstKey: string) {
    this.args = ["MGET", firstKey];
    this.reply = new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
  }

  /** Sends the MGET (once) through `send`, which resolves with its reply. */
  send(send: (args: string[]) => Promise<unknown>): void {
    if (this.sent) return;
    this.sent = true;
    send(this.args).then(this.settle.resolve, this.settle.reject);
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
    private readonly send: (args: string[]) => Promise<unknown>,
  ) {}

  /**
   * Adds `valueKey` to this tick's MGET; resolves with the generation (as Redis replied: null when
   * absent) and the value key's text (null: none or not a string).
   */
  async read(valueKey: string): Promise<[unknown, unknown]> {
    let batch = this.open;
    if (batch === undefined) {
      const opened = new MgetBatch(this.generationKey);
      batch = this.open = opened;
      queueMicrotask(() => this.flush(opened));
    }
    // args: MGET, the generation key, value keys; the reply: the generation, values.
    const index = batch.args.push(valueKey) - 2;
    if (index >= MAX_BATCH) this.flush(batch);
    const reply = (await batch.reply) as unknown[];
    return [reply[0], reply[index]];
  }

  private flush(batch: MgetBatch): void {
    if (this.open === batch) this.open = undefined;
    batch.send(this.send);
  }
}
