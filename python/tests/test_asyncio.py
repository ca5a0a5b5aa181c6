"""Coroutine functions: per-key dedup of pending computations on the event loop."""

import asyncio

import pytest

from cashier import TTLMapAsyncStorage, cache


def run(coroutine):
    return asyncio.run(coroutine)


def test_a_burst_of_one_key_computes_once():
    calls = []

    @cache(name="burst")
    async def burst(x):
        calls.append(x)
        await asyncio.sleep(0)
        return object()

    async def main():
        return await asyncio.gather(*(burst(1) for _ in range(50)))

    results = run(main())
    assert len(calls) == 1 and all(r is results[0] for r in results)
    stats = burst.cache.stats()
    assert (stats["misses"], stats["joined"], stats["pending"]) == (1, 49, 0)


def test_joiners_share_the_exception_and_nothing_is_cached():
    calls = []
    release = None

    @cache(name="fails")
    async def fails(x):
        calls.append(x)
        await release.wait()
        if len(calls) == 1:
            raise ValueError("shared")
        return "ok"

    async def main():
        nonlocal release
        release = asyncio.Event()
        tasks = [asyncio.ensure_future(fails(1)) for _ in range(5)]
        while fails.cache.stats()["joined"] < 4:
            await asyncio.sleep(0)
        release.set()
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        assert all(isinstance(o, ValueError) for o in outcomes)
        assert len({id(o) for o in outcomes}) == 1
        assert fails.cache.stats()["size"] == 0
        assert await fails(1) == "ok"

    run(main())
    assert len(calls) == 2


def test_independent_keys_run_concurrently():
    started = set()

    @cache(name="both")
    async def both(x):
        started.add(x)
        while len(started) < 2:  # needs the other key's computation to have started
            await asyncio.sleep(0)
        return x

    async def main():
        return await asyncio.wait_for(asyncio.gather(both(1), both(2)), 30)

    assert run(main()) == [1, 2]


def test_a_same_key_self_await_is_an_error_not_a_deadlock():
    @cache(name="selfish")
    async def selfish(x):
        return await selfish(x)

    async def main():
        with pytest.raises(RuntimeError, match="itself"):
            await asyncio.wait_for(selfish(1), 30)
        assert selfish.cache.stats()["pending"] == 0

    run(main())


def test_a_self_await_through_a_child_task_is_an_error_too():
    @cache(name="child")
    async def child(x):
        return await asyncio.ensure_future(child(x))

    async def main():
        with pytest.raises(RuntimeError, match="itself"):
            await asyncio.wait_for(child(1), 30)

    run(main())


def test_a_cancelled_joiner_leaves_the_others_their_value():
    gate = None

    @cache(name="cancel")
    async def slow(x):
        await gate.wait()
        return "value"

    async def main():
        nonlocal gate
        gate = asyncio.Event()
        leader = asyncio.ensure_future(slow(1))
        joiner = asyncio.ensure_future(slow(1))
        other = asyncio.ensure_future(slow(1))
        while slow.cache.stats()["joined"] < 2:
            await asyncio.sleep(0)
        joiner.cancel()
        gate.set()
        assert await leader == "value" and await other == "value"
        with pytest.raises(asyncio.CancelledError):
            await joiner

    run(main())


def test_cache_handle_methods_are_coroutines_for_coroutine_functions():
    storage = TTLMapAsyncStorage(max_size=10)

    @cache(storage, name="fetch", version="2")
    async def fetch(client, user_id):
        return user_id

    async def main():
        await fetch(None, 7)
        assert fetch.cache.key_of(None, 7) == "fetch@2(null,7)"
        assert await fetch.cache.delete(None, 7) is True
        await fetch(None, 7)
        await fetch.cache.clear()
        assert fetch.cache.stats()["size"] == 0

    run(main())


def test_the_wrapper_is_a_coroutine_function():
    import inspect

    @cache
    async def f(x):
        return x

    assert inspect.iscoroutinefunction(f)
    assert run(f(3)) == 3
