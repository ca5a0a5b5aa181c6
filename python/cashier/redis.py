"""`RedisStorage`: a cache shared by processes (Python and Node alike) through redis-py.

The layout and value format are the npm package's (`js/src/redis.ts`, README "Shared caches"):

- ``{prefix}generation``: the namespace's generation, an integer (absent: 0); ``clear()`` is INCR;
- ``{prefix}{generation}:v:{key}``: a value, as `json_values` text, with PX = its TTL.

Every operation is the same Lua script as the npm package's, so a clear by any process is seen
by every other on its next operation. Keys are cashier keys, identical in both languages, so a
function of the same name (and arguments) shares its entries. A Redis failure never fails a
cached call: it computes, reports to `on_error`, and returns the value.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import threading
from typing import Any, Awaitable, Callable, Optional

from .values import json_values

__all__ = ["RedisStorage"]

# The npm package's scripts (js/src/redis.ts), verbatim: KEYS[1] = generation key; ARGV[1] =
# prefix, ARGV[2] = key.
FETCH = """local g = redis.call('GET', KEYS[1]) or '0'
local k = ARGV[1] .. g .. ':v:' .. ARGV[2]
local v = redis.pcall('GET', k)
if type(v) == 'table' then
  redis.call('DEL', k)
  return {g, false, v.err}
end
return {g, v}"""

STORE = """local g = redis.call('GET', KEYS[1]) or '0'
if ARGV[6] ~= '' then
  local lock = ARGV[1] .. (ARGV[5] ~= '' and ARGV[5] or g) .. ':l:' .. ARGV[2]
  local holder = redis.pcall('GET', lock)
  if holder == ARGV[6] or type(holder) == 'table' then redis.call('DEL', lock) end
end
if ARGV[5] ~= '' and ARGV[5] ~= g then return {0} end
local k = ARGV[1] .. g .. ':v:' .. ARGV[2]
local t = redis.call('TYPE', k).ok
if ARGV[4] == '' then redis.call('SET', k, ARGV[3])
else redis.call('SET', k, ARGV[3], 'PX', ARGV[4]) end
if t ~= 'string' and t ~= 'none' then return {1, 'WRONGTYPE the value key held a ' .. t} end
return {1}"""

# ARGV[3] = the invalidation channel: the key is published there, as the npm package's delete
# does, so TieredStorage L1s in Node processes drop it too.
DELETE = """local g = redis.call('GET', KEYS[1]) or '0'
local n = redis.call('DEL', ARGV[1] .. g .. ':v:' .. ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[2])
return n"""

_MISS: Any = object()

# The keys the current task is computing, for the self-await check: (storage id, key).
_leading: contextvars.ContextVar[frozenset] = contextvars.ContextVar("cashier_redis_leading", default=frozenset())


def _text(reply: Any) -> Any:
    return reply.decode("utf-8") if isinstance(reply, (bytes, bytearray)) else reply


def _ttl_ms(ttl: Optional[float]) -> str:
    if ttl is None:
        return ""
    if isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or not 0 < ttl < float("inf"):
        raise ValueError(f"cashier: ttl must be a positive, finite number of seconds (or None), not {ttl!r}")
    ms = round(ttl * 1000)
    if ms < 1:
        raise ValueError("cashier: ttl must be at least 0.001 s")
    return str(ms)


class RedisStorage:
    """A storage in Redis, over a redis-py client: `redis.Redis` for sync functions, or
    `redis.asyncio.Redis` for coroutine functions (`is_async` says which). `ttl` in seconds
    (`None`: no expiry); one `prefix` is one namespace, cleared together. Within a process,
    concurrent calls of one key compute once (threads, or tasks on the event loop)."""

    def __init__(
        self,
        client: Any,
        *,
        prefix: str = "cashier:",
        ttl: Optional[float] = None,
        serializer: Any = json_values,
        on_error: Optional[Callable[[Exception], None]] = None,
    ):
        execute = getattr(client, "execute_command", None)
        if execute is None or not hasattr(client, "register_script"):
            raise TypeError("cashier: RedisStorage needs a redis-py client (redis.Redis or redis.asyncio.Redis)")
        if not isinstance(prefix, str):
            raise ValueError("cashier: prefix must be a str")
        if not (callable(getattr(serializer, "serialize", None)) and callable(getattr(serializer, "deserialize", None))):
            raise TypeError("cashier: serializer must have serialize(value) and deserialize(text)")
        self.client = client
        self.is_async = inspect.iscoroutinefunction(execute)
        self.prefix = prefix
        self.ttl = ttl
        self._ttl = _ttl_ms(ttl)
        self._serializer = serializer
        self._on_error = on_error
        self._generation_key = f"{prefix}generation"
        # Where a delete publishes its key (the npm package's TieredStorage listens there).
        self._channel = f"{prefix}invalidate"
        self._fetch = client.register_script(FETCH)
        self._store = client.register_script(STORE)
        self._delete = client.register_script(DELETE)
        self._counters = {"hits": 0, "misses": 0, "waits": 0, "errors": 0}
        self._lock = threading.Lock()
        self._pending: dict = {}

    # -- shared by both kinds -------------------------------------------------------------------
    def stats(self) -> dict:
        """This process's counters: hits, misses, waits (calls that joined another's pending
        computation of their key), errors."""
        return dict(self._counters)

    def _report(self, error: Exception) -> None:
        self._counters["errors"] += 1
        if self._on_error is not None:
            try:
                self._on_error(error)
            except Exception:  # noqa: BLE001 - a failing hook must not fail the call
                pass

    def _found(self, reply: Any) -> tuple:
        """(generation, value or _MISS) from a FETCH reply."""
        generation, text = _text(reply[0]), _text(reply[1]) if len(reply) > 1 else None
        if len(reply) > 2 and reply[2]:
            self._report(RuntimeError(f"cashier: a Redis key had the wrong type and was dropped ({_text(reply[2])})"))
        if text is None:
            return generation, _MISS
        try:
            return generation, self._serializer.deserialize(text)
        except Exception as error:  # noqa: BLE001 - one key's bad value: recompute and overwrite it
            self._report(error)
            return generation, _MISS

    def _encoded(self, value: Any) -> Optional[str]:
        try:
            return self._serializer.serialize(value)
        except Exception as error:  # noqa: BLE001 - an unstorable value is returned, not stored
            self._report(error)
            return None

    def _args(self, key: str) -> list:
        return [self.prefix, key]

    # -- sync client ----------------------------------------------------------------------------
    def get(self, key: str, default: Any = None) -> Any:
        """The live value for `key`, else `default` (a coroutine with an asyncio client)."""
        if self.is_async:
            return self._aget(key, default)
        _, value = self._found(self._fetch(keys=[self._generation_key], args=self._args(key)))
        return default if value is _MISS else value

    def set(self, key: str, value: Any, ttl: Optional[float] = None) -> Any:
        """Stores `value` for `key` (`ttl` seconds, default the storage's; a coroutine with an
        asyncio client)."""
        if self.is_async:
            return self._aset(key, value, ttl)
        ms = self._ttl if ttl is None else _ttl_ms(ttl)
        text = self._encoded(value)
        if text is not None:
            self._store(keys=[self._generation_key], args=self._args(key) + [text, ms, "", ""])

    def get_or_compute(self, key: str, function: str, compute: Callable[[], Any]) -> Any:
        """The stored value for `key`, or `compute()`'s, stored; once per key across threads."""
        with self._lock:
            waiter = self._pending.get(key)
            leader = waiter is None
            if leader:
                waiter = self._pending[key] = [threading.Event(), None, None, threading.get_ident()]
        if not leader:
            if waiter[3] == threading.get_ident():
                raise RuntimeError(
                    f"cashier: {function} called itself with the same arguments while computing them; "
                    "waiting for itself would never end"
                )
            self._counters["waits"] += 1
            waiter[0].wait()
            if waiter[2] is not None:
                raise waiter[2]
            return waiter[1]
        try:
            value = waiter[1] = self._compute_sync(key, compute)
        except BaseException as error:
            waiter[2] = error
            raise
        finally:
            with self._lock:
                del self._pending[key]
            waiter[0].set()
        return value

    def _compute_sync(self, key: str, compute: Callable[[], Any]) -> Any:
        try:
            generation, value = self._found(self._fetch(keys=[self._generation_key], args=self._args(key)))
        except Exception as error:  # noqa: BLE001 - Redis down: compute without it
            self._report(error)
            self._counters["misses"] += 1
            return compute()
        if value is not _MISS:
            self._counters["hits"] += 1
            return value
        self._counters["misses"] += 1
        value = compute()
        text = self._encoded(value)
        if text is not None:
            try:
                self._store(keys=[self._generation_key], args=self._args(key) + [text, self._ttl, generation, ""])
            except Exception as error:  # noqa: BLE001
                self._report(error)
        return value

    def delete(self, key: str) -> Any:
        """Removes `key`; True if a value was removed (a coroutine with an asyncio client)."""
        if self.is_async:
            return self._adelete(key)
        return int(self._delete(keys=[self._generation_key], args=[*self._args(key), self._channel])) > 0

    def clear(self) -> Any:
        """Rotates the namespace's generation: every entry, in every process, becomes
        unreachable at once (a coroutine with an asyncio client)."""
        if self.is_async:
            return self.client.incr(self._generation_key)
        self.client.incr(self._generation_key)
        return None

    # -- asyncio client -------------------------------------------------------------------------
    async def _aget(self, key: str, default: Any = None) -> Any:
        _, value = self._found(await self._fetch(keys=[self._generation_key], args=self._args(key)))
        return default if value is _MISS else value

    async def _aset(self, key: str, value: Any, ttl: Optional[float] = None) -> None:
        ms = self._ttl if ttl is None else _ttl_ms(ttl)
        text = self._encoded(value)
        if text is not None:
            await self._store(keys=[self._generation_key], args=self._args(key) + [text, ms, "", ""])

    async def _adelete(self, key: str) -> bool:
        return int(await self._delete(keys=[self._generation_key], args=[*self._args(key), self._channel])) > 0

    async def _aget_or_compute(self, key: str, compute: Callable[[], Awaitable[Any]]) -> Any:
        _leading.set(_leading.get() | {(id(self), key)})  # this task only: it computes `key`
        try:
            generation, value = self._found(await self._fetch(keys=[self._generation_key], args=self._args(key)))
        except Exception as error:  # noqa: BLE001 - Redis down: compute without it
            self._report(error)
            self._counters["misses"] += 1
            return await compute()
        if value is not _MISS:
            self._counters["hits"] += 1
            return value
        self._counters["misses"] += 1
        value = await compute()
        text = self._encoded(value)
        if text is not None:
            try:
                await self._store(keys=[self._generation_key], args=self._args(key) + [text, self._ttl, generation, ""])
            except Exception as error:  # noqa: BLE001
                self._report(error)
        return value

    def _async_get_or_compute(self, key: str, function: str, compute: Callable[[], Awaitable[Any]]) -> Awaitable[Any]:
        # One task per key computes; the others await the same future.
        future = self._pending.get(key)
        if future is not None:
            if (id(self), key) in _leading.get():
                raise RuntimeError(
                    f"cashier: {function} awaited itself with the same arguments while computing them; "
                    "waiting for itself would never end"
                )
            self._counters["waits"] += 1
            return asyncio.shield(future)
        future = asyncio.ensure_future(self._aget_or_compute(key, compute))
        self._pending[key] = future
        future.add_done_callback(lambda _: self._pending.pop(key, None))
        return asyncio.shield(future)
