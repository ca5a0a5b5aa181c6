"""The decorator's contract: names, binding, CacheWith, values, TTL and timers, invalidation, errors."""

import asyncio
import threading
from typing import Annotated

import pytest

from cashier import CacheWith, TTLMapAsyncStorage, TTLMapStorage, build_key, cache


class Clock:
    """An injectable timer (seconds) the test moves by hand."""

    def __init__(self, now=100.0):
        self.now = now

    def __call__(self):
        return self.now


class Unkeyable:
    """Reading it for a key would be a bug: it refuses equality, hashing and repr."""

    def __eq__(self, other):
        raise AssertionError("read")

    __hash__ = None

    def __repr__(self):
        raise AssertionError("read")


def test_the_default_name_is_module_and_qualname():
    @cache(ttl=60, max_size=10_000)
    def get_user(db, user_id: Annotated[int, CacheWith], fields: Annotated[tuple, CacheWith] = ("name",)):
        return {"id": user_id}

    assert get_user.cache.key_of(Unkeyable(), 7) == f"{__name__}.test_the_default_name_is_module_and_qualname.<locals>.get_user(7,[\"name\"])"
    assert get_user.__name__ == "get_user" and get_user.__wrapped__ is not None


def test_keyword_positional_and_default_calls_share_a_key():
    calls = []

    @cache(name="f")
    def f(a, b=2):
        calls.append((a, b))
        return object()

    first = f(1, b=2)
    assert f(1, 2) is first and f(1) is first and f(a=1) is first
    assert calls == [(1, 2)]
    assert f.cache.key_of(1) == f.cache.key_of(1, b=2) == "f(1,2)"
    assert f(1, 3) is not first


def test_keyword_only_var_positional_and_var_keyword_parameters():
    @cache(name="g")
    def g(a, /, *rest, k=1, **extra):
        return (a, rest, k, extra)

    assert g.cache.key_of(1, 2, 3, z=4) == 'g(1,[2,3],1,{"z":4})'
    assert g(1, 2, k=1) is g(1, 2)


def test_only_cache_with_parameters_are_read():
    calls = []

    @cache(name="users.fetch")
    def fetch(lock, user_id: Annotated[int, CacheWith], conn=None):
        calls.append(user_id)
        return [user_id]

    a = fetch(Unkeyable(), 5, conn=Unkeyable())
    assert fetch(threading.Lock(), user_id=5) is a
    assert calls == [5]
    assert fetch.cache.key_of(Unkeyable(), 5) == "users.fetch(5)"


def test_unmarked_parameters_all_take_part_and_unsupported_values_are_type_errors():
    @cache(name="h")
    def h(conn, x):
        return x

    with pytest.raises(TypeError) as raised:
        h(object(), 1)
    message = str(raised.value)
    assert "'conn'" in message or '"conn"' in message
    assert "CacheWith" in message and "key_builder" in message


def test_cycles_and_deep_nesting_are_type_errors():
    cyclic = []
    cyclic.append(cyclic)

    @cache(name="deep")
    def deep(x):
        return 1

    for value in (cyclic, {"a": cyclic}):
        with pytest.raises(TypeError, match="nest deeper than 128"):
            deep(value)
    nested = []
    for _ in range(127):
        nested = [nested]
    assert deep(nested) == 1  # 128 levels are fine


def test_values_come_back_by_identity_and_none_is_a_value():
    calls = []

    @cache(name="n")
    def n(x):
        calls.append(x)
        return None if x == 0 else object()

    assert n(0) is None and n(0) is None
    assert calls == [0]
    assert n(1) is n(1)
    stats = n.cache.stats()
    assert (stats["hits"], stats["misses"], stats["size"]) == (2, 2, 2)
    assert set(stats) == {"hits", "misses", "joined", "evictions", "expirations", "size", "pending"}


def test_delete_and_clear():
    calls = []

    @cache(name="d")
    def d(x):
        calls.append(x)
        return x

    d(1), d(2)
    assert d.cache.delete(1) is True
    assert d.cache.delete(1) is False
    d(1)
    assert calls == [1, 2, 1]
    d.cache.clear()
    assert d.cache.stats()["size"] == 0
    d(2)
    assert calls == [1, 2, 1, 2]


def test_ttl_in_seconds_with_an_injected_timer():
    clock = Clock()
    calls = []

    @cache(ttl=1.5, timer=clock, name="t")
    def t(x):
        calls.append(x)
        return x

    t(1)
    clock.now += 1.499
    t(1)
    assert calls == [1]
    clock.now += 0.001
    t(1)
    assert calls == [1, 1]
    assert t.cache.stats()["expirations"] == 1


def test_a_timer_going_backwards_holds_store_time():
    clock = Clock(1000.0)
    storage = TTLMapStorage(max_size=10, ttl=10, timer=clock)
    storage.set("k", "v")
    clock.now = 0.0  # backwards: the store holds its time at 1000
    assert storage.get("k") == "v"
    clock.now = 9.0
    assert storage.get("k") == "v"
    clock.now = 1009.999
    assert storage.get("k") == "v"
    clock.now = 1010.0
    assert storage.get("k", "gone") == "gone"


def test_lru_eviction_at_max_size():
    @cache(max_size=2, name="e")
    def e(x):
        return object()

    one = e(1)
    e(2)
    e(1)  # 1 is now the most recent
    e(3)  # evicts 2
    assert e(1) is one
    assert e.cache.stats()["evictions"] == 1


def test_storage_methods_and_per_entry_ttl():
    clock = Clock()
    storage = TTLMapStorage(max_size=4, timer=clock)
    storage.set("a", None)
    assert storage.get("a", "missing") is None
    storage.set("b", 2, ttl=1)
    clock.now += 1
    assert storage.get("b", "missing") == "missing"
    assert storage.delete("a") and not storage.delete("a")
    storage.set("c", 3)
    storage.clear()
    assert len(storage) == 0

    async def use_async():
        s = TTLMapAsyncStorage(max_size=4)
        await s.set("k", 1)
        assert await s.get("k") == 1
        assert await s.delete("k")
        await s.clear()

    asyncio.run(use_async())


def test_version_prefix_and_hashed_keys():
    @cache(name="users.fetch", version="2", prefix="app:", serializer="sha256")
    def fetch(user_id):
        return user_id

    key = fetch.cache.key_of(7)
    assert key == build_key("users.fetch", [7], version="2", prefix="app:", serializer="sha256")
    assert key.startswith("app:users.fetch@2:") and len(key) == len("app:users.fetch@2:") + 64
    assert build_key("f", [1], serializer="md5") == "f:" + __import__("hashlib").md5(b"f(1)").hexdigest()


def test_key_builder_replaces_the_argument_encoding():
    @cache(name="kb", prefix="p:", key_builder=lambda conn, user: f"user-{user}")
    def kb(conn, user):
        return object()

    assert kb.cache.key_of(object(), 3) == "p:user-3"
    assert kb(object(), 3) is kb(Unkeyable(), 3)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"name": "f(x)"},
        {"name": ""},
        {"name": "a@b"},
        {"version": "1 0"},
        {"version": ""},
        {"prefix": "p("},
        {"serializer": "crc32"},
        {"ttl": 0},
        {"ttl": -1},
        {"ttl": float("nan")},
        {"ttl": float("inf")},
        {"ttl": 0.0001},
        {"max_size": 0},
        {"max_size": -5},
        {"max_size": 1.5},
    ],
)
def test_bad_options_are_value_errors_at_decoration(kwargs):
    with pytest.raises(ValueError, match="cashier"):
        cache(**kwargs)(lambda x: x)


def test_storage_options_go_to_the_storage():
    with pytest.raises(ValueError, match="ttl"):
        cache(TTLMapStorage(), ttl=5)(lambda x: x)


def test_a_sync_function_with_an_async_storage_is_a_type_error():
    with pytest.raises(TypeError, match="TTLMapStorage"):

        @cache(storage=TTLMapAsyncStorage())
        def f(x):
            return x


def test_a_coroutine_function_with_a_sync_storage_is_a_type_error():
    with pytest.raises(TypeError, match="TTLMapAsyncStorage"):

        @cache(storage=TTLMapStorage())
        async def f(x):
            return x


def test_exceptions_are_not_cached():
    calls = []

    @cache(name="x")
    def x(v):
        calls.append(v)
        if len(calls) == 1:
            raise KeyError("first time")
        return v

    with pytest.raises(KeyError):
        x(1)
    assert x(1) == 1 and x(1) == 1
    assert calls == [1, 1]


def test_methods_bind_like_functions():
    class Repo:
        def __init__(self):
            self.calls = 0

        @cache(name="Repo.find")
        def find(self, key: Annotated[str, CacheWith]):
            self.calls += 1
            return [key]

    repo = Repo()
    assert repo.find("a") is repo.find(key="a")
    assert repo.calls == 1
    assert Repo.find.cache.key_of(repo, "a") == 'Repo.find("a")'


def test_a_shared_storage_keeps_functions_apart_by_name():
    storage = TTLMapStorage(max_size=100)

    @cache(storage, name="one")
    def one(x):
        return ("one", x)

    @cache(storage, name="two")
    def two(x):
        return ("two", x)

    assert one(1) == ("one", 1) and two(1) == ("two", 1)
    assert storage.stats()["size"] == 2


def test_a_recursive_call_with_the_same_key_is_an_error_not_a_deadlock():
    @cache(name="rec")
    def rec(x):
        return rec(x)

    with pytest.raises(RuntimeError, match="itself"):
        rec(1)
    assert rec.cache.stats()["pending"] == 0


def test_bool_int_float_and_str_do_not_meet():
    @cache(name="m")
    def m(x):
        return object()

    keys = {m.cache.key_of(v) for v in (1, True, "1", 2**60, [1], (1,), b"1")}
    assert len(keys) == 6  # [1] and (1,) meet; so do 1 and 1.0
    assert m.cache.key_of(1) == m.cache.key_of(1.0)


def test_a_call_that_does_not_fit_the_signature_names_the_function():
    @cache(name="fits")
    def fits(a, *, b):
        return a

    with pytest.raises(TypeError, match="fits"):
        fits(1)  # b is missing
    with pytest.raises(TypeError, match="fits"):
        fits(1, 2, b=3)


def test_a_dropped_storage_releases_its_values():
    import gc
    import weakref

    class Value:
        pass

    storage = TTLMapStorage(max_size=10)
    value = Value()
    storage.set("k", value)
    ref = weakref.ref(value)
    del value
    assert ref() is not None  # held by the storage
    del storage
    gc.collect()
    assert ref() is None


def test_defaults_fill_positional_calls_in_every_selection():
    @cache(name="dflt")
    def dflt(a, b=2, c=(3,)):
        return object()

    assert dflt.cache.key_of(1) == dflt.cache.key_of(1, 2) == dflt.cache.key_of(1, 2, (3,)) == "dflt(1,2,[3])"
    assert dflt.cache.key_of(1, c=[3]) == "dflt(1,2,[3])"
    assert dflt(1) is dflt(1, 2, [3])

    @cache(name="sel")
    def sel(conn, a: Annotated[int, CacheWith], b: Annotated[str, CacheWith] = "x", extra=None):
        return object()

    assert sel.cache.key_of(Unkeyable(), 1) == sel.cache.key_of(Unkeyable(), 1, "x", Unkeyable()) == 'sel(1,"x")'
    with pytest.raises(TypeError):
        sel.cache.key_of(Unkeyable())  # a is missing: the call's own TypeError
