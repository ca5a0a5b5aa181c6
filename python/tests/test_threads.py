"""Threads: one computation per key, the others wait (without the GIL) and share its outcome;
independent keys compute in parallel. No sleeps: waits are on events and on the counters."""

import threading
import time

from cashier import TTLMapStorage, cache

THREADS = 16


def wait_until(predicate, what):
    # A bound only against a hang (a broken build): the condition is reached in microseconds.
    deadline = time.monotonic() + 30
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.001)


def run_threads(target, count=THREADS):
    results, errors = [None] * count, [None] * count

    def run(i):
        try:
            results[i] = target(i)
        except BaseException as error:  # noqa: BLE001 - collected and asserted
            errors[i] = error

    # Daemon threads and a bounded join: a broken build that deadlocks fails the test instead
    # of hanging the test command.
    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "threads still waiting: a deadlock"
    return results, errors


def test_one_computation_per_key_and_the_others_share_its_value():
    calls = []

    @cache(name="same")
    def same(x):
        calls.append(x)
        # Every other thread has joined this flight (and waits detached: this thread can run).
        wait_until(lambda: same.cache.stats()["joined"] == THREADS - 1, "all threads joined")
        return object()

    results, errors = run_threads(lambda i: same(1))
    assert errors == [None] * THREADS
    assert len(calls) == 1
    assert all(r is results[0] for r in results)
    stats = same.cache.stats()
    assert (stats["misses"], stats["joined"], stats["pending"], stats["size"]) == (1, THREADS - 1, 0, 1)


def test_independent_keys_compute_in_parallel():
    barrier = threading.Barrier(2, timeout=30)

    @cache(name="parallel")
    def parallel(x):
        barrier.wait()  # both computations are running at once, or this breaks
        return x

    results, errors = run_threads(lambda i: parallel(i), count=2)
    assert errors == [None, None]
    assert results == [0, 1]


def test_joiners_share_the_exception_and_nothing_is_cached():
    calls = []

    class Boom(Exception):
        pass

    @cache(name="boom")
    def boom(x):
        calls.append(x)
        if len(calls) == 1:
            wait_until(lambda: boom.cache.stats()["joined"] == THREADS - 1, "all threads joined")
            raise Boom("shared")
        return "ok"

    results, errors = run_threads(lambda i: boom(1))
    assert all(isinstance(e, Boom) for e in errors)
    assert len({id(e) for e in errors}) == 1  # the one exception, shared
    assert boom.cache.stats()["size"] == 0
    assert boom(1) == "ok" and len(calls) == 2


def test_a_delete_during_the_computation_still_releases_the_waiters():
    calls = []

    @cache(name="invalidated")
    def invalidated(x):
        calls.append(x)
        if len(calls) == 1:
            wait_until(lambda: invalidated.cache.stats()["joined"] == 3, "joined")
            invalidated.cache.clear()
        return len(calls)

    results, errors = run_threads(lambda i: invalidated(1), count=4)
    assert errors == [None] * 4 and results == [1] * 4
    assert invalidated.cache.stats()["size"] == 0  # the cleared flight stored nothing
    assert invalidated(1) == 2


def test_many_threads_many_keys_stay_consistent():
    calls = {}
    lock = threading.Lock()

    @cache(max_size=64, name="mixed")
    def mixed(x):
        with lock:
            calls[x] = calls.get(x, 0) + 1
        return x * 2

    results, errors = run_threads(lambda i: [mixed(k % 40) for k in range(i, i + 400)])
    assert errors == [None] * THREADS
    assert all(r == [(k % 40) * 2 for k in range(i, i + 400)] for i, r in enumerate(results))
    stats = mixed.cache.stats()
    assert stats["hits"] + stats["misses"] == THREADS * 400
    assert stats["pending"] == 0


def test_a_storage_shared_across_threads_with_set_and_get():
    storage = TTLMapStorage(max_size=1000)

    def work(i):
        for k in range(500):
            storage.set(f"{i}:{k}", k)
            assert storage.get(f"{i}:{k}") == k
        return True

    results, errors = run_threads(work, count=8)
    assert errors == [None] * 8
    assert len(storage) == 1000


def test_waiting_threads_release_the_gil():
    # In a child process, so that a waiter holding the GIL (the leader could then never run
    # again) is a failed test rather than a hung test command.
    import subprocess
    import sys

    script = """
import threading
from cashier import cache

@cache(name="gil")
def gil(x):
    # Runs Python while 7 threads wait for it: impossible if a waiter kept the GIL.
    while gil.cache.stats()["joined"] < 7:
        pass
    return x

threads = [threading.Thread(target=gil, args=(1,)) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(gil.cache.stats()["misses"], gil.cache.stats()["joined"])
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "7"]
