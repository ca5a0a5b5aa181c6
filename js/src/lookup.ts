// Where the calls of one memoized function find their entries in a local storage's engine: a
// private cache with repr keys looks calls of primitive arguments up by the arguments themselves
// (the argument index, engine.ts); everything else, and every shared storage, by the key string.
// (Hashed serializers keep string keys: V8 hashes strings with a secret seed, numbers not.)

import { BY_MANY, BY_ONE, BY_STRING, BY_TWO, NO_ARGUMENTS, ABSENT, type Engine, type Home } from "./engine.js";

/** @internal One memoized function's lookups in its storage's engine. A lookup that finds
 * nothing leaves where the key would be stored in {@link home}, {@link first}, {@link second}. */
export class Lookup {
  /** The home of the latest lookup's key in the argument index (see engine.ts)… */
  home: Home = BY_STRING;
  /** …and its parts there. */
  first: unknown = undefined;
  second: unknown = undefined;

  /**
   * `keyable` (a private cache with repr keys only) tells the calls whose arguments the argument
   * index holds; `positions` are the participating arguments (cacheWith), if not all.
   */
  constructor(
    readonly storage: Engine,
    private readonly positions: number[] | undefined,
    private readonly keyOf: (args: unknown[]) => string,
    private readonly keyable: ((args: unknown[]) => boolean) | undefined,
  ) {}

  /** The {@link Engine.check} result for `args`; when nothing is live, the miss home is set. */
  locate(args: unknown[]): number {
    if (this.keyable !== undefined) {
      this.place(args);
      const found = this.storage.check(this.storage.find(this.home, this.first, this.second));
      if (found !== ABSENT) return found;
      if (this.keyable(args)) return ABSENT;
    }
    const key = this.keyOf(args);
    this.home = BY_STRING;
    this.first = key;
    this.second = undefined;
    return this.storage.lookupKey(key);
  }

  /** Removes the entry (or cancels the computation) these arguments have. */
  remove(args: unknown[]): boolean {
    if (this.keyable !== undefined && this.keyable(args)) {
      this.place(args);
      return this.storage.deleteAt(this.home, this.first, this.second);
    }
    return this.storage.deleteKey(this.keyOf(args));
  }

  /** Sets the home of a call's key in the argument index, and its parts there. Only the
   * participating arguments are ever read. */
  private place(args: unknown[]): void {
    const positions = this.positions;
    const count = positions ? positions.length : args.length;
    if (count > 2) {
      this.home = BY_MANY;
      this.first = positions ? positions.map((position) => args[position]) : args;
      this.second = undefined;
    } else {
      this.home = count === 2 ? BY_TWO : BY_ONE;
      this.first = count === 0 ? NO_ARGUMENTS : positions ? args[positions[0]!] : args[0];
      this.second = count === 2 ? (positions ? args[positions[1]!] : args[1]) : undefined;
    }
  }
}
