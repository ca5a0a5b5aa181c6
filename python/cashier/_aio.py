"""Per-key dedup of pending computations for coroutine functions, over the native flight table.

The first caller of a missing key computes; callers of the same key meanwhile await the same
outcome (value or exception); nothing is stored on error. A computation that awaits its own key
(directly or through tasks it awaits) is refused with RuntimeError instead of waiting forever.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from typing import Any, Awaitable, Callable

_HIT, _JOINED = 0, 1

# The flights the current task (and the tasks it started) is computing: (flights table, flight id).
_leading: contextvars.ContextVar[frozenset] = contextvars.ContextVar("cashier_leading", default=frozenset())


def _settle(future: asyncio.Future, ok: bool, outcome: Any) -> None:
    if future.done():
        return
    if ok:
        future.set_result(outcome)
    elif isinstance(outcome, asyncio.CancelledError):
        future.cancel()
    else:
        future.set_exception(outcome)
        future.exception()  # retrieved: the joiners re-raise it; no "never retrieved" log


class Flights:
    """The pending computations of one async storage, by flight id."""

    def __init__(self, native: Any):
        self._native = native
        self._pending: dict = {}
        # Lookup + joining and completion + releasing are atomic with respect to each other, so
        # a joiner on another thread (another event loop) can never miss its wake-up.
        self._lock = threading.Lock()

    async def get_or_compute(self, key: str, function: str, compute: Callable[[], Awaitable[Any]]) -> Any:
        with self._lock:
            state, found = self._native.lookup(key)
            if state == _HIT:
                return found
            if state == _JOINED:
                if (self, found) in _leading.get():
                    raise RuntimeError(
                        f"cashier: {function} awaited itself with the same arguments while computing them; "
                        "waiting for itself would never end"
                    )
                future = self._pending.get(found)
                if future is None:
                    future = self._pending[found] = asyncio.get_running_loop().create_future()
        if state == _JOINED:
            # shield: a joiner being cancelled must not cancel the others' shared outcome.
            return await asyncio.shield(future)
        return await self._lead(found, compute)

    async def _lead(self, ticket: int, compute: Callable[[], Awaitable[Any]]) -> Any:
        token = _leading.set(_leading.get() | {(self, ticket)})
        try:
            value = await compute()
        except BaseException as error:
            self._land(ticket, False, error)
            raise
        finally:
            _leading.reset(token)
        self._land(ticket, True, value)
        return value

    def _land(self, ticket: int, ok: bool, outcome: Any) -> None:
        with self._lock:
            if ok:
                self._native.complete(ticket, outcome)
            else:
                self._native.fail(ticket)
            future = self._pending.pop(ticket, None)
        if future is None:
            return
        loop = future.get_loop()
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if loop is running:
            _settle(future, ok, outcome)
        else:
            loop.call_soon_threadsafe(_settle, future, ok, outcome)
