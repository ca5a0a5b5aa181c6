"""cashier against the usual Python caches: the cost of one cached call, hit and miss, and an
async dedup burst. Prints a markdown table. Run: `bash python/bench/run.sh` (it makes a venv
with the pinned peers of requirements.txt and the wheel from target/wheels).

- hit: the same call again and again (one key, stored), ns per call, with one int argument and
  with an int and a str;
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


def best_ns(run, count):
    """The fastest of ROUNDS runs, in ns per call (the least disturbed by other processes)."""
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter_ns()
        run()
        best = min(best, (time.perf_counter_ns() - start) / count)
    return best


def loop_overhead():
    def run():
        for _ in range(HITS):
            identity(7)

    return best_ns(run, HITS)


def identity(x, region="eu"):
    return x


def contenders():
    """name -> factory(): a fresh cached `identity(x, region="eu")`."""
    return {
        "cashier `@cache(ttl=60)`": lambda: cashier.cache(ttl=60, max_size=MISSES * 2, name="bench.f")(identity),
        "functools.lru_cache": lambda: functools.lru_cache(maxsize=MISSES * 2)(identity),
        "cachetools `cached(TTLCache)`": lambda: cachetools.cached(cachetools.TTLCache(maxsize=MISSES * 2, ttl=60))(identity),
        "cachebox `cached(TTLCache)`": lambda: cachebox.cached(cachebox.TTLCache(maxsize=MISSES * 2, global_ttl=60))(identity),
    }


def hit_ns(factory):
    f = factory()
    f(7)

    def run():
        for _ in range(HITS):
            f(7)

    return best_ns(run, HITS)


def hit2_ns(factory):
    f = factory()
    f(7, "north-europe")

    def run():
        for _ in range(HITS):
            f(7, "north-europe")

    return best_ns(run, HITS)


def miss_ns(factory):
    best = float("inf")
    for _ in range(ROUNDS):
        f = factory()
        start = time.perf_counter_ns()
        for i in range(MISSES):
            f(i)
        best = min(best, (time.perf_counter_ns() - start) / MISSES)
    return best


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
    base = loop_overhead()
    rows = []
    for name, factory in contenders().items():
        rows.append((name, hit_ns(factory) - base, hit2_ns(factory) - base, miss_ns(factory) - base))
    print(f"Python {platform.python_version()} ({sys.implementation.name}), {platform.machine()}; "
          f"best of {ROUNDS}; the bare call of an identity function ({base:.0f} ns) is subtracted.\n")
    print("| cache | hit `f(7)` ns/call | hit `f(7, \"north-europe\")` ns/call | miss `f(i)` ns/call |")
    print("|---|---:|---:|---:|")
    for name, hit, hit2, miss in rows:
        print(f"| {name} | {hit:.0f} | {hit2:.0f} | {miss:.0f} |")
    ours, ours2 = rows[0][1], rows[0][2]
    print()
    for name, hit, hit2, _ in rows[1:]:
        print(f"- cashier hit / {name} hit: {ours / hit:.2f}x (`f(7)`), {ours2 / hit2:.2f}x (`f(7, \"north-europe\")`)")

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
