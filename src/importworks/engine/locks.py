"""Per-module import locks with deadlock detection.

Two threads importing the same module must execute it once: the first takes the
module's lock, the second waits and then sees the finished module.  A cycle of
imports across threads (thread 1 imports ``a`` which imports ``b`` while thread 2
imports ``b`` which imports ``a``) would wait forever; instead the thread that
would close the cycle gets :class:`DeadlockError` and, as in CPython, the engine
hands it the partially initialised module.

The table of locks is guarded by the interpreter's global import lock
(``_imp.acquire_lock``), which ``os.fork`` already knows to reset.  The state of
every lock and the wait-for graph share one mutex: looking for a cycle and
joining the graph must be one step, or two threads closing a cycle at the same
moment could each look before the other joined, see nothing, and wait forever.
"""

from __future__ import annotations

import _imp
import _thread
import importlib._bootstrap as _stock_bootstrap
import sys
import weakref

from ..errors import ERR_DEADLOCK, ERR_LOCK_NOT_HELD, DeadlockError

__all__ = ["ModuleLock", "acquire_for_wait", "get_module_lock", "global_import_lock", "wait_for_stock_import"]

# thread id -> the ModuleLock that thread is waiting for
_waiting_for: dict[int, ModuleLock] = {}
# guards every ModuleLock's owner, count and waiters, and _waiting_for (held briefly, never while waiting)
_graph = _thread.allocate_lock()
# module name -> weak reference to its lock; a lock lives while someone holds it
_module_locks: dict[str, weakref.ref[ModuleLock]] = {}
# The stock import's own table of waits (3.12+: thread id -> list of the locks it
# waits for, values held weakly).  Our waits are listed there too, so that code
# watching importlib._bootstrap._blocking_on for a blocked import (CPython's
# threaded-import tests, debuggers) sees ours; nothing of ours reads it.
_stock_waits = getattr(_stock_bootstrap, "_blocking_on", None) if sys.version_info >= (3, 12) else None
_StockList = getattr(_stock_bootstrap, "_List", list)


def _show_wait(me: int, lock: ModuleLock) -> list[ModuleLock] | None:
    """List *lock* as waited for by thread *me* in the stock table; keep what it returns."""
    if _stock_waits is None:
        return None
    waits = _stock_waits.setdefault(me, _StockList())
    waits.append(lock)
    return waits  # the caller's reference keeps the weakly held list alive


def _hide_wait(waits: list[ModuleLock] | None, lock: ModuleLock) -> None:
    if waits is not None:
        try:
            waits.remove(lock)
        except ValueError:
            pass


class ModuleLock:
    """A re-entrant lock for one module name that refuses to deadlock."""

    __slots__ = ("name", "owner", "count", "_waiters", "__weakref__")

    def __init__(self, name: str) -> None:
        self.name = name
        self.owner: int | None = None
        self.count = 0
        # (thread id, parked lock) per waiting thread; release() unparks them all
        self._waiters: list[tuple[int, _thread.LockType]] = []

    def _closes_cycle(self, me: int) -> bool:
        """Would waiting for this lock make the wait-for graph cyclic?"""
        seen: set[int] = set()
        owner = self.owner
        while owner is not None and owner not in seen:
            if owner == me:
                return True
            seen.add(owner)
            lock = _waiting_for.get(owner)
            if lock is None:
                return False
            owner = lock.owner
        return False

    def acquire(self) -> None:
        """Take the lock, waiting for its owner; raise DeadlockError on a cycle."""
        me = _thread.get_ident()
        while True:
            with _graph:
                if self.count == 0 or self.owner == me:
                    self.owner = me
                    self.count += 1
                    return
                if self._closes_cycle(me):
                    raise DeadlockError(ERR_DEADLOCK.format(lock=self))
                parked = _thread.allocate_lock()
                parked.acquire()
                self._waiters.append((me, parked))
                _waiting_for[me] = self
                shown = _show_wait(me, self)
            try:
                parked.acquire()  # release() has taken us out of the graph by then
            except BaseException:
                with _graph:
                    _waiting_for.pop(me, None)
                    if (me, parked) in self._waiters:
                        self._waiters.remove((me, parked))
                raise
            finally:
                _hide_wait(shown, self)

    def release(self) -> None:
        """Give one level of the lock back; wake waiters when it is free."""
        with _graph:
            if self.owner != _thread.get_ident():
                raise RuntimeError(ERR_LOCK_NOT_HELD)
            self.count -= 1
            if self.count == 0:
                self.owner = None
                waiters, self._waiters = self._waiters, []
                for waiter, parked in waiters:
                    # out of the graph now, not when it runs again: a stale edge could
                    # make another thread see a cycle that is not there
                    _waiting_for.pop(waiter, None)
                    parked.release()

    def locked(self) -> bool:
        """Whether some thread holds the lock (as threading.RLock.locked(), 3.14)."""
        return bool(self.count)

    def __enter__(self) -> ModuleLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"ModuleLock({self.name!r}) at {id(self)}"


def _forget(name: str, ref: weakref.ref[ModuleLock]) -> None:
    _imp.acquire_lock()
    try:
        if _module_locks.get(name) is ref:
            del _module_locks[name]
    finally:
        _imp.release_lock()


def get_module_lock(name: str) -> ModuleLock:
    """Return the lock for *name*, creating it if no one holds one."""
    _imp.acquire_lock()
    try:
        ref = _module_locks.get(name)
        lock = ref() if ref is not None else None
        if lock is None:
            lock = ModuleLock(name)

            def forget(ref: weakref.ref[ModuleLock], name: str = name) -> None:
                _forget(name, ref)

            _module_locks[name] = weakref.ref(lock, forget)
        return lock
    finally:
        _imp.release_lock()


def acquire_for_wait(name: str) -> None:
    """Wait until the thread initialising *name* is done.

    A cross-thread cycle is not an error here: the caller gets the partially
    initialised module, as the C import does.
    """
    lock = get_module_lock(name)
    try:
        lock.acquire()
    except DeadlockError:
        return
    lock.release()


def wait_for_stock_import(name: str) -> None:
    """Wait until the stock machinery, running *name*'s body in another thread, is done.

    Code that took ``importlib.import_module`` before activate() (django,
    pluggy), runpy and pkgutil import through importlib's own locks, which
    ours know nothing of; the C import waits on that lock when it finds a
    module still initialising, and so does the engine.
    """
    _stock_bootstrap._lock_unlock_module(name)  # type: ignore[attr-defined]


class global_import_lock:
    """Hold the interpreter's global import lock (re-entrant, fork-safe)."""

    __slots__ = ()

    def __enter__(self) -> None:
        _imp.acquire_lock()

    def __exit__(self, *exc_info: object) -> None:
        _imp.release_lock()
