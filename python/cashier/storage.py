"""In-process storages: a TTL + LRU map in native code, for sync and for async functions."""

from __future__ import annotations

import time
from typing import Any, Callable, Optional

from . import _native

__all__ = ["TTLMapStorage", "TTLMapAsyncStorage"]

_MISSING: Any = object()


def _timer(timer: Optional[Callable[[], float]]) -> Optional[Callable[[], float]]:
    # time.monotonic is the default: read natively (no Python call per lookup).
    if timer is None or timer is time.monotonic:
        return None
    if not callable(timer):
        raise TypeError("cashier: timer must be a callable returning seconds, like time.monotonic")
    return timer


class _MapStorage:
    is_async = False

    def __init__(self, max_size: int = 1000, ttl: Optional[float] = None, timer: Optional[Callable[[], float]] = None):
        if isinstance(max_size, bool) or not isinstance(max_size, int):
            raise ValueError(f"cashier: max_size must be a whole number ≥ 1, not {max_size!r}")
        if ttl is not None and (isinstance(ttl, bool) or not isinstance(ttl, (int, float))):
            raise ValueError(f"cashier: ttl must be a number of seconds or None, not {ttl!r}")
        self.max_size = max_size
        self.ttl = ttl
        self._native = _native.Store(max_size, None if ttl is None else float(ttl), _timer(timer))

    def stats(self) -> dict:
        """The counters: hits, misses, joined, evictions, expirations, size, pending."""
        return self._native.stats()

    def __len__(self) -> int:
        return len(self._native)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(max_size={self.max_size}, ttl={self.ttl})"


class TTLMapStorage(_MapStorage):
    """A TTL + LRU map for sync functions: at most `max_size` entries, each expiring `ttl`
    seconds after it was stored (`None`: never), time read from `timer` (seconds; default
    `time.monotonic`). Thread-safe; values come back by identity; `None` is a value."""

    def get(self, key: str, default: Any = None) -> Any:
        """The live value for `key`, else `default`."""
        found, value = self._native.get(key)
        return value if found else default

    def set(self, key: str, value: Any, ttl: Optional[float] = None) -> None:
        """Stores `value` for `key`, expiring after `ttl` seconds (default: the storage's)."""
        self._native.set(key, value, ttl)

    def delete(self, key: str) -> bool:
        """Removes `key`; True if a live value was removed."""
        return self._native.delete(key)

    def clear(self) -> None:
        """Removes every entry."""
        self._native.clear()


class TTLMapAsyncStorage(_MapStorage):
    """The same map for coroutine functions: its methods are coroutines, and cached coroutine
    functions share pending computations per key on the event loop."""

    is_async = True

    def __init__(self, max_size: int = 1000, ttl: Optional[float] = None, timer: Optional[Callable[[], float]] = None):
        super().__init__(max_size, ttl, timer)
        from ._aio import Flights

        self._flights = Flights(self._native)

    def _async_get_or_compute(self, key: str, function: str, compute: Callable) -> Any:
        return self._flights.get_or_compute(key, function, compute)

    async def get(self, key: str, default: Any = None) -> Any:
        """The live value for `key`, else `default`."""
        found, value = self._native.get(key)
        return value if found else default

    async def set(self, key: str, value: Any, ttl: Optional[float] = None) -> None:
        """Stores `value` for `key`, expiring after `ttl` seconds (default: the storage's)."""
        self._native.set(key, value, ttl)

    async def delete(self, key: str) -> bool:
        """Removes `key`; True if a live value was removed."""
        return self._native.delete(key)

    async def clear(self) -> None:
        """Removes every entry."""
        self._native.clear()
