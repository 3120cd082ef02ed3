"""The types of the engine's extension points: what the layers above plug in.

The engine calls these and imports nothing above itself; they are registered
through :mod:`importworks.engine.observers` (observers, the lazy hook, the hooks
run after a module body) and ``sys.path_hooks`` (finders for path entries).
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Protocol

from ..spec import ModuleSpec

__all__ = ["AfterExecHook", "ImportObserver", "LazyHook", "ObserverBase"]


class ImportObserver(Protocol):
    """Told about each import the engine performs, on the importing thread.

    A cache hit (a module already in sys.modules) is not an import performed.
    The methods must be quick and must not import.
    """

    def begin(self, name: str) -> None:
        """Before the finders are asked for *name*."""

    def found(self, name: str, spec: ModuleSpec) -> None:
        """A finder returned *spec*."""

    def created(self, name: str) -> None:
        """The module object exists; its body has not run."""

    def loaded(self, name: str) -> None:
        """The code is at hand; the body runs next."""

    def end(self, name: str, module: ModuleType | None, exc: BaseException | None) -> None:
        """The import is over: *module*, or None and the exception *exc* it raised."""


class ObserverBase:
    """An :class:`ImportObserver` that ignores every event: override the ones you need."""

    def begin(self, name: str) -> None:
        pass

    def found(self, name: str, spec: ModuleSpec) -> None:
        pass

    def created(self, name: str) -> None:
        pass

    def loaded(self, name: str) -> None:
        pass

    def end(self, name: str, module: ModuleType | None, exc: BaseException | None) -> None:
        pass


# hook(name, globals, fromlist, level): what the import statement binds instead
# of the module (a lazy stand-in), or None to import now (importworks.lazy)
LazyHook = Callable[[str, object, object, int], object]
# hook(module), right after the body of the module of that name ran under one of
# our loaders (importworks.wiring.interop introduces our classes to it)
AfterExecHook = Callable[[ModuleType], None]
