"""Per-module import locks: each module runs once, cycles across threads never hang, locks do not pile up."""

from __future__ import annotations

import gc
import sys
import threading
import time

import pytest

from importworks.engine import locks
from importworks.engine.locks import ModuleLock, acquire_for_wait, get_module_lock
from importworks.errors import DeadlockError

ROUNDS = 5000  # the race it guards against showed within 300-6000 rounds


def test_many_threads_execute_a_module_exactly_once(tree, engine):
    tree(
        {
            "slow_once.py": """
        import time, builtins
        builtins.__dict__.setdefault('_slow_once_runs', []).append(1)
        time.sleep(0.05)
        DONE = True
    """
        }
    )
    import builtins

    results, errors = [], []

    def worker():
        try:
            import slow_once

            results.append(slow_once.DONE)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    try:
        assert not errors and results == [True] * 16
        assert builtins._slow_once_runs == [1]
    finally:
        del builtins._slow_once_runs


@pytest.mark.timeout(30)
def test_cross_thread_import_cycle_does_not_hang(tree, engine):
    # t1 imports a (which imports b), t2 imports b (which imports a) at the same time
    tree(
        {
            "cycle_a.py": "import cycle_sync\ncycle_sync.barrier.wait()\nimport cycle_b\nA = 1\n",
            "cycle_b.py": "import cycle_sync\ncycle_sync.barrier.wait()\nimport cycle_a\nB = 1\n",
            "cycle_sync.py": "import threading\nbarrier = threading.Barrier(2, timeout=5)\n",
        }
    )
    import cycle_sync  # noqa: F401

    outcomes = {}

    def worker(name):
        try:
            module = __import__(name)
            outcomes[name] = module
        except BaseException as exc:
            outcomes[name] = exc

    threads = [threading.Thread(target=worker, args=(n,)) for n in ("cycle_a", "cycle_b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert not any(t.is_alive() for t in threads), "import cycle across threads hung"
    # both finish; whoever closed the cycle saw a partial module, never a hang or a crash
    assert sys.modules["cycle_a"].A == 1 and sys.modules["cycle_b"].B == 1
    assert all(not isinstance(v, BaseException) for v in outcomes.values()), outcomes


def test_module_lock_detects_a_two_thread_deadlock():
    lock_a, lock_b = ModuleLock("a"), ModuleLock("b")
    lock_a.acquire()
    holding_b = threading.Event()
    release = threading.Event()
    errors = []

    def other():
        lock_b.acquire()
        holding_b.set()
        try:
            lock_a.acquire()  # waits for the main thread
            lock_a.release()
        except DeadlockError as exc:
            errors.append(exc)
        finally:
            lock_b.release()
            release.set()

    t = threading.Thread(target=other)
    t.start()
    holding_b.wait(5)
    try:
        # one of the two sides must refuse; the main thread tries b while t waits on a
        try:
            lock_b.acquire()
            lock_b.release()
        except DeadlockError as exc:
            errors.append(exc)
    finally:
        lock_a.release()
    t.join(5)
    assert not t.is_alive()
    assert len(errors) == 1 and "deadlock detected by ModuleLock(" in str(errors[0])


def test_module_lock_is_reentrant():
    lock = ModuleLock("r")
    lock.acquire()
    lock.acquire()
    lock.release()
    lock.release()
    with pytest.raises(RuntimeError):
        lock.release()


def test_two_threads_closing_a_cycle_at_the_same_moment_never_both_wait():
    """Each thread holds one lock and asks for the other's at once, many times over.

    Checking the wait-for graph and joining it must be one step for all locks:
    otherwise both threads can look before either is registered, see no cycle,
    and wait for each other forever.
    """
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        for _ in range(ROUNDS):
            lock_a, lock_b = ModuleLock("a"), ModuleLock("b")
            both_hold = threading.Barrier(2)
            refused = []

            def cross(first, second, both_hold=both_hold, refused=refused):
                first.acquire()
                try:
                    both_hold.wait(5)
                    try:
                        second.acquire()
                        second.release()
                    except DeadlockError:
                        refused.append(first.name)
                finally:
                    first.release()

            threads = [
                threading.Thread(target=cross, args=pair, daemon=True) for pair in ((lock_a, lock_b), (lock_b, lock_a))
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join(5)
            assert not any(t.is_alive() for t in threads), "both threads wait for each other"
            assert refused  # at least one side was told
    finally:
        sys.setswitchinterval(0.005)


def test_a_lock_is_shared_while_held_and_forgotten_when_no_one_holds_it():
    """One lock per module name while in use; the table does not grow with every module ever imported."""
    lock = get_module_lock("shared_lock")
    assert get_module_lock("shared_lock") is lock
    for i in range(200):
        get_module_lock(f"transient_{i}")
    gc.collect()
    # (counting the whole table would also count locks of earlier tests that die meanwhile)
    assert [name for name in list(locks._module_locks) if name.startswith("transient_")] == []
    assert "shared_lock" in locks._module_locks
    del lock
    gc.collect()
    assert "shared_lock" not in locks._module_locks


def test_only_the_owner_releases_a_lock():
    lock = ModuleLock("owned")
    lock.acquire()
    released = []

    def other():
        try:
            lock.release()
        except RuntimeError as exc:
            released.append(str(exc))

    thread = threading.Thread(target=other)
    thread.start()
    thread.join(5)
    assert released == ["cannot release un-acquired lock"] and lock.locked()
    lock.release()
    assert not lock.locked()


def test_waiting_for_a_module_in_a_cycle_returns_instead_of_raising():
    """acquire_for_wait: the thread that would close a cycle gets the partial module, as the C import does."""
    mine, theirs = get_module_lock("wait_mine"), get_module_lock("wait_theirs")
    holding = threading.Event()
    done = threading.Event()

    def other():
        with theirs:
            holding.set()
            with mine:  # waits for the main thread
                done.set()

    with mine:
        thread = threading.Thread(target=other)
        thread.start()
        holding.wait(5)
        _wait_until(lambda: locks._waiting_for.get(thread.ident or 0) is mine)
        acquire_for_wait("wait_theirs")  # would deadlock; returns at once
        assert not done.is_set()
    thread.join(5)
    assert done.is_set() and not thread.is_alive()


@pytest.mark.skipif(sys.version_info < (3, 12), reason="importlib._bootstrap._blocking_on lists waits from 3.12")
def test_a_wait_is_listed_where_the_stock_import_lists_its_own():
    """Debuggers and CPython's threaded-import tests read importlib._bootstrap._blocking_on."""
    import importlib._bootstrap as stock

    lock = get_module_lock("listed")
    waiting = threading.Event()

    def other():
        waiting.set()
        with lock:
            pass

    with lock:
        thread = threading.Thread(target=other)
        thread.start()
        waiting.wait(5)
        _wait_until(lambda: lock in stock._blocking_on.get(thread.ident or 0, ()))
    thread.join(5)
    assert lock not in stock._blocking_on.get(thread.ident or 0, ())


def _wait_until(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)
