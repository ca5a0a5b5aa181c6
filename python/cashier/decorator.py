"""The `@cache` decorator and the `.cache` handle of a cached function."""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Optional

from . import _native
from ._signature import plan
from .storage import TTLMapAsyncStorage, TTLMapStorage

__all__ = ["cache", "CacheHandle"]

_UNSET: Any = object()


def _check_storage(storage: Any, is_async: bool, name: str) -> None:
    if not hasattr(storage, "is_async"):
        raise TypeError(
            f"cashier: storage of {name} must be a TTLMapStorage, TTLMapAsyncStorage or RedisStorage, "
            f"not {type(storage).__name__}"
        )
    if is_async and not storage.is_async:
        raise TypeError(
            f"cashier: {name} is a coroutine function: give it a TTLMapAsyncStorage "
            f"(or a RedisStorage over a redis.asyncio client), not a {type(storage).__name__}"
        )
    if not is_async and storage.is_async:
        raise TypeError(
            f"cashier: {name} is a sync function: give it a TTLMapStorage "
            f"(or a RedisStorage over a sync redis client), not a {type(storage).__name__}"
        )


class CacheHandle:
    """`fn.cache`: the key of a call, invalidation and counters. For a coroutine function
    `delete` and `clear` are coroutines."""

    def __init__(self, keys: Any, storage: Any, is_async: bool):
        self._keys = keys
        self.storage = storage
        self.is_async = is_async

    def key_of(self, *args: Any, **kwargs: Any) -> str:
        """The key a call with these arguments reads and writes."""
        return self._keys.key(args, kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        """Removes the entry of a call with these arguments; True if one was removed."""
        return self.storage.delete(self._keys.key(args, kwargs))

    def clear(self) -> Any:
        """Removes every entry of the storage (shared by every function that uses it)."""
        return self.storage.clear()

    def stats(self) -> dict:
        """The storage's counters."""
        return self.storage.stats()


def cache(
    storage: Any = None,
    *,
    ttl: Optional[float] = _UNSET,
    max_size: int = _UNSET,
    timer: Optional[Callable[[], float]] = _UNSET,
    name: Optional[str] = None,
    version: Optional[str] = None,
    prefix: str = "",
    serializer: str = "repr",
    key_builder: Optional[Callable[..., str]] = None,
) -> Any:
    """Caches a function's results by its arguments.

    Without `storage`, the function gets a private one (`ttl` seconds, `max_size` entries,
    `timer`): a `TTLMapStorage`, or a `TTLMapAsyncStorage` for a coroutine function. The key is
    `prefix + name[@version](args)` (or hashed with `serializer="md5"`/`"sha256"`), `name`
    defaulting to the function's `module.qualname`; `key_builder(*args, **kwargs) -> str`
    replaces the argument encoding. Bad names, versions, sizes and TTLs are `ValueError`s; a
    storage of the wrong kind is a `TypeError`, both raised here, at decoration.
    """
    if callable(storage) and not hasattr(storage, "is_async"):
        # Used bare: @cache
        return cache()(storage)

    def decorate(fn: Callable) -> Any:
        if not callable(fn):
            raise TypeError(f"cashier: @cache decorates functions, not {type(fn).__name__}")
        is_async = inspect.iscoroutinefunction(fn)
        label = name if name is not None else f"{fn.__module__}.{fn.__qualname__}"
        if not isinstance(label, str):
            raise ValueError(f"cashier: name must be a str, not {type(label).__name__}")
        chosen = storage
        if chosen is None:
            kind = TTLMapAsyncStorage if is_async else TTLMapStorage
            chosen = kind(
                max_size=1000 if max_size is _UNSET else max_size,
                ttl=None if ttl is _UNSET else ttl,
                timer=None if timer is _UNSET else timer,
            )
        else:
            given = [n for n, v in (("ttl", ttl), ("max_size", max_size), ("timer", timer)) if v is not _UNSET]
            if given:
                raise ValueError(f"cashier: {', '.join(given)} belong to the storage given to {label}, not to @cache")
            _check_storage(chosen, is_async, label)
        p = plan(fn)
        keys = _native.Keys(
            label, p.names, p.bind, p.fast_arity, p.positions,
            defaults=p.defaults, version=version, prefix=prefix, serializer=serializer, key_builder=key_builder,
        )
        handle = CacheHandle(keys, chosen, is_async)
        native = getattr(chosen, "_native", None)
        if is_async:
            wrapper = _async_wrapper(fn, keys, chosen, label)
        elif native is not None:
            wrapper = _native.CachedFunction(fn, keys, native)
            functools.update_wrapper(wrapper, fn)
        else:
            wrapper = _sync_wrapper(fn, keys, chosen, label)
        wrapper.cache = handle
        return wrapper

    return decorate


def _async_wrapper(fn: Callable, keys: Any, storage: Any, label: str) -> Callable:
    key_of = keys.key
    get_or_compute = storage._async_get_or_compute

    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        return await get_or_compute(key_of(args, kwargs), label, lambda: fn(*args, **kwargs))

    return wrapper


def _sync_wrapper(fn: Callable, keys: Any, storage: Any, label: str) -> Callable:
    key_of = keys.key
    get_or_compute = storage.get_or_compute

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return get_or_compute(key_of(args, kwargs), label, lambda: fn(*args, **kwargs))

    return wrapper
