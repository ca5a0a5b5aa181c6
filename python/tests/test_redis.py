"""RedisStorage over redis-py (sync and asyncio clients) on a real redis-server, and the
cross-language proof: Python and Node (the npm package) share entries of the same function."""

import asyncio
import json
import math
import pathlib
import shutil
import subprocess
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
import redis
import redis.asyncio
from redis.backoff import NoBackoff
from redis.retry import Retry

from cashier import RedisStorage, TTLMapStorage, cache
from cashier.values import json_values

ROOT = pathlib.Path(__file__).resolve().parents[2]
NODE_SIDE = pathlib.Path(__file__).with_name("interop") / "node_side.mjs"
UTC = timezone.utc


@pytest.fixture
def client(redis_url):
    c = redis.Redis.from_url(redis_url)
    yield c
    c.close()


def node(redis_url, prefix, mode):
    assert shutil.which("node"), "node is required"
    assert (ROOT / "dist" / "esm" / "node.js").exists(), "build the npm package first: bash .ci/build-js.sh"
    out = subprocess.run(
        ["node", str(NODE_SIDE), redis_url, prefix, mode], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.strip().splitlines()]


def test_sync_storage_caches_in_the_npm_layout(client):
    storage = RedisStorage(client, prefix="py-sync:", ttl=60)
    calls = []

    @cache(storage, name="users.get")
    def get(user_id):
        calls.append(user_id)
        return None if user_id == 0 else {"id": user_id, "tags": {"a"}}

    assert get(1) == {"id": 1, "tags": {"a"}} and get(1) == {"id": 1, "tags": {"a"}}
    assert get(0) is None and get(0) is None  # None is a value
    assert calls == [1, 0]
    raw = client.get("py-sync:0:v:users.get(1)")
    assert json.loads(raw) == {"id": 1, "tags": {"$t": "set", "v": ["a"]}}
    assert 0 < client.pttl("py-sync:0:v:users.get(1)") <= 60_000
    assert get.cache.delete(1) is True and get.cache.delete(1) is False
    get.cache.clear()  # INCR: a new generation
    assert client.get("py-sync:generation") == b"1"
    get(0)
    assert calls == [1, 0, 0]
    assert storage.stats() == {"hits": 2, "misses": 3, "waits": 0, "errors": 0}


def test_sync_storage_computes_once_per_key_across_threads(client):
    storage = RedisStorage(client, prefix="py-threads:")
    calls = []

    @cache(storage, name="slow")
    def slow(x):
        calls.append(x)
        # Returns only once the 7 other threads wait for this computation.
        for _ in range(30_000):
            if storage.stats()["waits"] == 7:
                break
            time.sleep(0.001)
        return x

    threads = [threading.Thread(target=slow, args=(1,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1]
    assert storage.stats()["waits"] == 7


def test_exceptions_are_not_stored(client):
    storage = RedisStorage(client, prefix="py-err:")
    calls = []

    @cache(storage, name="flaky")
    def flaky(x):
        calls.append(x)
        if len(calls) == 1:
            raise ValueError("no")
        return x

    with pytest.raises(ValueError):
        flaky(1)
    assert flaky(1) == 1 and flaky(1) == 1 and calls == [1, 1]


def test_an_unstorable_value_is_returned_and_reported(client):
    errors = []
    storage = RedisStorage(client, prefix="py-odd:", on_error=errors.append)

    @cache(storage, name="odd")
    def odd(x):
        return object()

    assert odd(1) is not None
    assert len(errors) == 1 and isinstance(errors[0], TypeError)


def test_redis_down_computes_and_reports():
    errors = []
    # Port 1 refuses at once; no retries, so the test does not wait out redis-py's backoff.
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=1, retry=Retry(NoBackoff(), 0))
    storage = RedisStorage(dead, prefix="x:", on_error=errors.append)

    @cache(storage, name="down")
    def down(x):
        return x * 2

    assert down(2) == 4
    assert errors and storage.stats()["errors"] >= 1


def test_asyncio_storage_dedups_and_caches(redis_url):
    async def main():
        client = redis.asyncio.Redis.from_url(redis_url)
        storage = RedisStorage(client, prefix="py-async:", ttl=30)
        calls = []

        @cache(storage, name="fetch")
        async def fetch(x):
            calls.append(x)
            await asyncio.sleep(0)
            return [x, None]

        results = await asyncio.gather(*(fetch(3) for _ in range(20)))
        assert all(r == [3, None] for r in results) and calls == [3]
        assert storage.stats()["waits"] == 19
        assert await fetch(3) == [3, None] and calls == [3]
        assert await storage.get("fetch(3)") == [3, None]
        assert await fetch.cache.delete(3) is True
        await fetch.cache.clear()
        assert await client.get("py-async:generation") == b"1"
        await client.aclose()

    asyncio.run(main())


def test_asyncio_self_await_is_an_error(redis_url):
    async def main():
        client = redis.asyncio.Redis.from_url(redis_url)
        storage = RedisStorage(client, prefix="py-self:")

        @cache(storage, name="selfish")
        async def selfish(x):
            return await selfish(x)

        with pytest.raises(RuntimeError, match="itself"):
            await asyncio.wait_for(selfish(1), 30)
        await client.aclose()

    asyncio.run(main())


def test_client_kind_must_match_the_function(client, redis_url):
    async def with_async_client():
        async_client = redis.asyncio.Redis.from_url(redis_url)
        with pytest.raises(TypeError, match="TTLMapStorage"):

            @cache(RedisStorage(async_client))
            def sync_fn(x):
                return x

        await async_client.aclose()

    asyncio.run(with_async_client())

    with pytest.raises(TypeError, match="TTLMapAsyncStorage"):

        @cache(RedisStorage(client))
        async def async_fn(x):
            return x

    with pytest.raises(TypeError, match="redis-py"):
        RedisStorage(TTLMapStorage())


QUOTE_ARGS = (42, "EUR", {"since": datetime(1970, 1, 1, tzinfo=UTC), "tags": ["a", 'b "quoted"'], "region": "eu"})
QUOTE_VALUE = {
    "amount": 4200,
    "big": 2**64,
    "at": datetime(2020, 1, 1, tzinfo=UTC),
    "bytes": b"\x00\x01",
    "tags": {"x"},
    "byNumber": {1: "one"},
    "none": None,
    "nan": math.nan,
    "ratio": 0.25,
}


def test_node_reads_what_python_cached(client, redis_url):
    prefix = "interop-py:"
    storage = RedisStorage(client, prefix=prefix)
    storage.clear()  # a rotated generation: Node must follow it, not assume 0
    keys = {}
    for serializer in ("repr", "sha256", "md5"):

        @cache(storage, name="interop.quote", serializer=serializer)
        def quote(amount, currency, options):
            return QUOTE_VALUE

        quote(*QUOTE_ARGS)
        keys[serializer] = quote.cache.key_of(*QUOTE_ARGS)
    assert keys["repr"] == 'interop.quote(42,"EUR",{"region":"eu","since":Date(0),"tags":["a","b \\"quoted\\""]})'

    read = node(redis_url, prefix, "read")
    assert [r["serializer"] for r in read] == ["repr", "sha256", "md5"]
    for r in read:
        assert r["key"] == keys[r["serializer"]], "Node built the Python key"
        back = json_values.deserialize(r["value"])
        assert math.isnan(back.pop("nan"))
        expected = dict(QUOTE_VALUE)
        expected.pop("nan")
        assert back == expected


def test_python_reads_what_node_cached(client, redis_url):
    prefix = "interop-node:"
    RedisStorage(client, prefix=prefix).clear()
    [written] = node(redis_url, prefix, "write")
    calls = []

    @cache(RedisStorage(client, prefix=prefix), name="interop.fromNode")
    def from_node(big, mapping, flags, when, raw, pair):
        calls.append(1)
        return "computed"

    args = (12345678901234567890, {1: "x"}, {True, None}, datetime(1970, 1, 1, 0, 0, 1), bytearray(b"\x01\x02"), (1.5, -0.0))
    assert from_node.cache.key_of(*args) == written["key"]
    value = from_node(*args)
    assert calls == [], "a hit: the value came from Node"
    assert math.isnan(value.pop("nan"))
    assert value == {
        "from": "node",
        "n": 7,
        "when": datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=5),
        "tags": {"a"},
        "nested": {1: [1, 2]},
        "nothing": None,
        "raw": b"\x00\xff",
    }
