"""The Python demo: a slow function cached with cashier, with hits, misses, dedup and stats."""

import asyncio
import threading
import time
from typing import Annotated

from cashier import CacheWith, build_key, cache


@cache(ttl=60, max_size=1000, name="demo.slow_square")
def slow_square(db, n: Annotated[int, CacheWith]) -> int:
    """`db` (a connection, say) is not part of the key: only `n` is."""
    time.sleep(0.2)
    return n * n


@cache(ttl=60, name="demo.fetch")
async def fetch(user_id: int) -> dict:
    await asyncio.sleep(0.2)
    return {"id": user_id}


def timed(label, call):
    start = time.perf_counter()
    value = call()
    print(f"  {label:<34} -> {value!r:<16} {1000 * (time.perf_counter() - start):7.2f} ms")


print("sync: slow_square(db, n) takes 200 ms when it runs")
db = object()
timed("slow_square(db, 4)    miss", lambda: slow_square(db, 4))
timed("slow_square(db, 4)    hit", lambda: slow_square(db, 4))
timed("slow_square(None, n=4) hit", lambda: slow_square(None, n=4))
print("  key:", slow_square.cache.key_of(db, 4))

print("8 threads ask for n=5 at once: it runs once, the others wait for it")
threads = [threading.Thread(target=slow_square, args=(db, 5)) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("  stats:", slow_square.cache.stats())


async def burst():
    start = time.perf_counter()
    users = await asyncio.gather(*(fetch(7) for _ in range(100)))
    print(f"async: 100 concurrent fetch(7) -> {users[0]} in {1000 * (time.perf_counter() - start):.0f} ms")
    print("  stats:", fetch.cache.stats())


asyncio.run(burst())
print("the same key as JavaScript's buildKey and Rust's build_key:")
print("  build_key('users.search', [{'tags': ['b', 'a'], 'limit': 10}], version='2') ->")
print("   ", build_key("users.search", [{"tags": ["b", "a"], "limit": 10}], version="2"))
