"""The ``__path__`` of a PEP 420 namespace package.

Used by the path finder, which gathers the portions, and by the namespace
loader; it depends on neither, so both import it.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Iterable, Iterator

from ..engine.tracebacks import register_engine_file

__all__ = ["NamespacePath"]

register_engine_file(__file__)  # its frames are the import system's, like the path finder's

_PY315 = sys.version_info >= (3, 15)


class NamespacePath:
    """The ``__path__`` of a namespace package: recomputed when its parent's changes."""

    _epoch = 0  # bumped by PathFinder.invalidate_caches()

    def __init__(self, name: str, path: list[str], path_finder: Callable[..., Any]) -> None:
        self._name = name
        self._path = path
        self._last_parent_path = tuple(self._parent_path())
        self._last_epoch = self._epoch
        self._path_finder = path_finder

    def _parent_path(self) -> Iterable[str]:
        parent, dot, _ = self._name.rpartition(".")
        if not dot:
            return sys.path
        try:
            module = sys.modules[parent]
        except KeyError:
            if not _PY315:
                raise
            raise ModuleNotFoundError(
                f"{parent!r} must be imported before finding {self._name!r}.", name=parent
            ) from None
        return module.__path__

    def _recalculate(self) -> list[str]:
        parent_path = tuple(self._parent_path())
        if parent_path != self._last_parent_path or self._epoch != self._last_epoch:
            spec = self._path_finder(self._name, parent_path)
            if spec is not None and spec.loader is None and spec.submodule_search_locations:
                self._path = spec.submodule_search_locations
            self._last_parent_path = parent_path
            self._last_epoch = self._epoch
        return self._path

    def __iter__(self) -> Iterator[str]:
        return iter(self._recalculate())

    def __getitem__(self, index: Any) -> Any:
        return self._recalculate()[index]

    def __setitem__(self, index: Any, path: str) -> None:
        self._path[index] = path

    def __len__(self) -> int:
        return len(self._recalculate())

    def __repr__(self) -> str:
        # the stdlib's spelling, which tools and tests already parse (public from 3.15)
        return f"{'' if _PY315 else '_'}NamespacePath({self._path!r})"

    def __contains__(self, item: object) -> bool:
        return item in self._recalculate()

    def append(self, item: str) -> None:
        self._path.append(item)
