"""The engine's extension points: observers of imports, the lazy hook, after-exec hooks.

The tracer (``importworks trace``), reload's dependency graph and others
register here.  The engine calls a single :class:`~importworks.engine.hooks.ImportObserver`
at each step of an import (``begin``, ``found``, ``created``, ``loaded``, ``end``);
with several observers that object fans out to each, and with none the engine
calls nothing.  The layers above plug in only through these functions; the
engine never imports them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

from ..errors import ERR_NOT_AN_OBSERVER
from ..spec import ModuleSpec
from . import _importlib_bootstrap as engine
from .hooks import AfterExecHook, ImportObserver, LazyHook

__all__ = [
    "add_after_exec_hook",
    "add_observer",
    "lazy_hooks",
    "remove_observer",
    "restore_lazy_hooks",
    "set_lazy_hook",
    "set_tracer",
    "thread_stack",
]

_EVENTS = ("begin", "found", "created", "loaded", "end")
_observers: list[ImportObserver] = []
# add/remove/set_tracer change the list and then rebuild the engine's one
# object from it; without this, two threads adding at once could each build
# from a list lacking the other's observer and the later store would drop it
_observers_lock = threading.Lock()


class _FanOut:
    """Forward each engine event to every observer, in registration order."""

    __slots__ = ("observers",)

    def __init__(self, observers: list[ImportObserver]) -> None:
        self.observers = tuple(observers)

    def begin(self, name: str) -> None:
        for observer in self.observers:
            observer.begin(name)

    def found(self, name: str, spec: ModuleSpec) -> None:
        for observer in self.observers:
            observer.found(name, spec)

    def created(self, name: str) -> None:
        for observer in self.observers:
            observer.created(name)

    def loaded(self, name: str) -> None:
        for observer in self.observers:
            observer.loaded(name)

    def end(self, name: str, module: ModuleType | None, exc: BaseException | None) -> None:
        for observer in self.observers:
            observer.end(name, module, exc)


def _rebuild() -> None:
    if not _observers:
        engine._tracer = None
    elif len(_observers) == 1:
        engine._tracer = _observers[0]
    else:
        engine._tracer = _FanOut(_observers)


def _check(observer: ImportObserver) -> None:
    missing = [event for event in _EVENTS if not callable(getattr(observer, event, None))]
    if missing:
        raise TypeError(ERR_NOT_AN_OBSERVER.format(observer=observer, missing=", ".join(e + "()" for e in missing)))


def add_observer(observer: ImportObserver) -> None:
    """Have *observer* told about every import the engine performs.

    It has each of ``begin(name)``, ``found(name, spec)``, ``created(name)``,
    ``loaded(name)`` and ``end(name, module, exc)`` (:class:`~importworks.engine.hooks.ObserverBase`
    supplies the ones it does not need); they are called on the importing thread,
    so they must be quick and must not import.  Cache hits (a module already in
    sys.modules) are not imports performed.
    """
    _check(observer)
    with _observers_lock:
        _observers.append(observer)
        _rebuild()


def remove_observer(observer: ImportObserver) -> None:
    """Stop telling *observer* about imports."""
    with _observers_lock:
        try:
            _observers.remove(observer)
        except ValueError:
            pass
        _rebuild()


def set_tracer(tracer: ImportObserver | None) -> ImportObserver | None:
    """Replace every observer with *tracer* (None: no observer); return the previous."""
    if tracer is not None:
        _check(tracer)
    with _observers_lock:
        previous = engine._tracer
        _observers[:] = [] if tracer is None else [tracer]
        _rebuild()
    return previous


def set_lazy_hook(hook: LazyHook | None, *, listed_only: bool = False) -> LazyHook | None:
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


def lazy_hooks() -> tuple[LazyHook | None, LazyHook | None]:
    """(every-import hook, listed-only hook): what activate() saves and restores."""
    return engine._lazy_hook, engine._lazy_listed_hook


def restore_lazy_hooks(hooks: tuple[LazyHook | None, LazyHook | None]) -> None:
    engine._lazy_hook, engine._lazy_listed_hook = hooks


def set_keep_parent_binding(hook: Callable[[ModuleType, str, str], bool] | None) -> None:
    """Have ``hook(parent, name, child)`` asked before a submodule is bound on its package (True: keep)."""
    engine._keep_parent_binding = hook


def add_after_exec_hook(module_name: str, hook: AfterExecHook) -> None:
    """Call ``hook(module)`` right after the body of *module_name* runs under one of our loaders.

    One per name (a later one replaces it); every other module costs one dict lookup.
    """
    engine._after_exec[module_name] = hook


def thread_stack(local: threading.local) -> list[Any]:
    """This thread's stack in *local* (of whatever the observer keeps): observers follow nested imports per thread."""
    stack: list[Any] | None = getattr(local, "stack", None)
    if stack is None:
        stack = local.stack = []
    return stack
