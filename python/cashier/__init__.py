"""cashier: a function-result cache with keys identical to the cashier npm package and Rust crate.

```python
from typing import Annotated
from cashier import cache, CacheWith

@cache(ttl=60, max_size=10_000)
def get_user(db, user_id: Annotated[int, CacheWith]): ...
```

The engine is cashier-core (Rust), linked natively: the TTL + LRU store, the canonical keys and
the per-key dedup of threads live there.
"""

from ._native import build_key
from ._signature import CacheWith
from .decorator import CacheHandle, cache
from .storage import TTLMapAsyncStorage, TTLMapStorage

__all__ = ["cache", "CacheWith", "CacheHandle", "TTLMapStorage", "TTLMapAsyncStorage", "build_key", "RedisStorage"]


def __getattr__(name: str):
    # RedisStorage needs nothing from redis-py until a client is given; imported on first use.
    if name == "RedisStorage":
        from .redis import RedisStorage

        return RedisStorage
    raise AttributeError(f"module 'cashier' has no attribute {name!r}")
