"""cashier against the usual Python caches: the cost of one cached call, hit and miss, and an
async dedup burst. Prints a markdown table. Run: `bash python/bench/run.sh` (it makes a venv
with the pinned peers of requirements.txt and the wheel from target/wheels).

- hit: the same call again and again (one key, stored), ns per call, with one int argument
  (the default fills the second parameter) and with an int and a str;
- miss: a new key every call into an empty cache big enough for all (the function itself does
  nothing), ns per call;
- burst: N concurrent calls of one key of an async function that sleeps 1 ms; how many times it
  ran and the wall time of the burst.
"""

import asyncio
import functools
import platform
import sys
import time

import cachebox
import cachetools
from aiocache import cached as aio_cached

import cashier

ROUNDS = 7
HITS = 300_000
MISSES = 100_000
BURST = 1_000


def timed_ns(run, count):
    start = time.perf_counter_ns()
    run()
    return (time.perf_counter_ns() - start) / count


def identity(x, region="eu"):
    return x


def contenders():
    """name -> factory(): a fresh cached `identity(x, region="eu")` (None: not cached)."""
    return {
        "no cache (the bare call)": lambda: identity,
        "cashier `@cache(ttl=60)`": lambda: cashier.cache(ttl=60, max_size=MISSES * 2, name="bench.f")(identity),
        "functools.lru_cache": lambda: functools.lru_cache(maxsize=MISSES * 2)(identity),
        "cachetools `cached(TTLCache)`": lambda: cachetools.cached(cachetools.TTLCache(maxsize=MISSES * 2, ttl=60))(identity),
        "cachebox `cached(TTLCache)`": lambda: cachebox.cached(cachebox.TTLCache(maxsize=MISSES * 2, global_ttl=60))(identity),
    }


def hit1(factory):
    f = factory()
    f(7)

    def run():
        for _ in range(HITS):
            f(7)

    return timed_ns(run, HITS)


def hit2(factory):
    f = factory()
    f(7, "north-europe")

    def run():
        for _ in range(HITS):
            f(7, "north-europe")

    return timed_ns(run, HITS)


def miss(factory):
    f = factory()

    def run():
        for i in range(MISSES):
            f(i)

    return timed_ns(run, MISSES)


async def burst(decorate):
    calls = 0

    async def slow(x):
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.001)
        return x

    fn = decorate(slow)
    start = time.perf_counter()
    results = await asyncio.gather(*(fn(1) for _ in range(BURST)))
    elapsed = time.perf_counter() - start
    assert all(r == 1 for r in results)
    return calls, elapsed * 1000


def main():
    table = contenders()
    # Rounds interleave the contenders, and each keeps its fastest round: load from other
    # processes then weighs on all of them alike.
    best = {name: [float("inf")] * 3 for name in table}
    for _ in range(ROUNDS):
        for name, factory in table.items():
            for column, measure in enumerate((hit1, hit2, miss)):
                best[name][column] = min(best[name][column], measure(factory))
    print(f"Python {platform.python_version()} ({sys.implementation.name}), {platform.machine()}; "
          f"fastest of {ROUNDS} interleaved rounds; ns per call, the call itself included.\n")
    print('| cache | hit `f(7)` | hit `f(7, "north-europe")` | miss `f(i)` |')
    print("|---|---:|---:|---:|")
    for name, (a, b, c) in best.items():
        print(f"| {name} | {a:.0f} | {b:.0f} | {c:.0f} |")
    ours = best["cashier `@cache(ttl=60)`"]
    print()
    for name in ("cachetools `cached(TTLCache)`", "cachebox `cached(TTLCache)`", "functools.lru_cache"):
        theirs = best[name]
        print(f"- cashier hit / {name} hit: {ours[0] / theirs[0]:.2f}x (`f(7)`), {ours[1] / theirs[1]:.2f}x (`f(7, \"north-europe\")`)")

    print(f"\n| async burst: {BURST} concurrent calls of one key (1 ms compute) | computations | ms |")
    print("|---|---:|---:|")
    for name, decorate in (
        ("cashier `@cache`", lambda f: cashier.cache(ttl=60, name="bench.slow")(f)),
        ("aiocache `@cached` (SimpleMemoryCache)", lambda f: aio_cached(ttl=60)(f)),
    ):
        calls, ms = asyncio.run(burst(decorate))
        print(f"| {name} | {calls} | {ms:.1f} |")


if __name__ == "__main__":
    main()
