"""Observers of the engine: who wants to hear about each import it performs.

The tracer (``importworks trace``), reload's dependency graph and others
register here.  The engine calls a single object at each step of an import
(``begin``, ``found``, ``created``, ``loaded``, ``end``); with several
observers that object fans out to each, and with none the engine calls nothing.
"""

from __future__ import annotations

import threading
from typing import Any

from . import _importlib_bootstrap as engine

__all__ = [
    "add_observer",
    "thread_stack",
    "lazy_hooks",
    "remove_observer",
    "restore_lazy_hooks",
    "set_lazy_hook",
    "set_tracer",
]

_EVENTS = ("begin", "found", "created", "loaded", "end")
_observers: list[Any] = []
# add/remove/set_tracer change the list and then rebuild the engine's one
# object from it; without this, two threads adding at once could each build
# from a list lacking the other's observer and the later store would drop it
_observers_lock = threading.Lock()


class _FanOut:
    """Forward each engine event to every observer, in registration order."""

    __slots__ = ("observers",)

    def __init__(self, observers: list[Any]) -> None:
        self.observers = tuple(observers)

    def _send(self, event: str, *args: Any) -> None:
        for observer in self.observers:
            method = getattr(observer, event, None)
            if method is not None:
                method(*args)

    def begin(self, name: str) -> None:
        self._send("begin", name)

    def found(self, name: str, spec: Any) -> None:
        self._send("found", name, spec)

    def created(self, name: str) -> None:
        self._send("created", name)

    def loaded(self, name: str) -> None:
        self._send("loaded", name)

    def end(self, name: str, module: Any, exc: BaseException | None) -> None:
        self._send("end", name, module, exc)


def _rebuild() -> None:
    if not _observers:
        engine._tracer = None
    elif len(_observers) == 1 and all(hasattr(_observers[0], event) for event in _EVENTS):
        engine._tracer = _observers[0]
    else:
        engine._tracer = _FanOut(_observers)


def add_observer(observer: Any) -> None:
    """Have *observer* told about every import the engine performs.

    It may define any of ``begin(name)``, ``found(name, spec)``,
    ``created(name)``, ``loaded(name)`` and ``end(name, module, exc)``; they are
    called on the importing thread, so they must be quick and must not import.
    Cache hits (a module already in sys.modules) are not imports performed.
    """
    with _observers_lock:
        _observers.append(observer)
        _rebuild()


def remove_observer(observer: Any) -> None:
    """Stop telling *observer* about imports."""
    with _observers_lock:
        try:
            _observers.remove(observer)
        except ValueError:
            pass
        _rebuild()


def set_tracer(tracer: Any) -> Any:
    """Replace every observer with *tracer* (None: no observer); return the previous."""
    with _observers_lock:
        previous = engine._tracer
        _observers[:] = [] if tracer is None else [tracer]
        _rebuild()
    return previous


def set_lazy_hook(hook: Any, *, listed_only: bool = False) -> Any:
    """Install ``hook(name, globals, fromlist, level) -> object | None``; return the previous.

    ``__import__`` asks it first: a non-None result is what the import
    statement gets instead of the module (see importworks.lazy).  With
    *listed_only* it is asked only by modules that define ``__lazy_modules__``.
    """
    previous = engine._lazy_hook or engine._lazy_listed_hook
    if listed_only:
        engine._lazy_hook, engine._lazy_listed_hook = None, hook
    else:
        engine._lazy_hook, engine._lazy_listed_hook = hook, None
    return previous


def lazy_hooks() -> tuple[Any, Any]:
    """(every-import hook, listed-only hook): what activate() saves and restores."""
    return engine._lazy_hook, engine._lazy_listed_hook


def restore_lazy_hooks(hooks: tuple[Any, Any]) -> None:
    engine._lazy_hook, engine._lazy_listed_hook = hooks


def thread_stack(local: threading.local) -> list[Any]:
    """This thread's stack in *local*: observers follow nested imports per thread."""
    stack = getattr(local, "stack", None)
    if stack is None:
        stack = local.stack = []
    return stack
