"""The ``__path__`` of a PEP 420 namespace package.

Used by the path finder, which gathers the portions, and by the namespace
loader; it depends on neither, so both import it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..engine.tracebacks import register_engine_file
from ..errors import ERR_PARENT_NOT_IMPORTED

__all__ = ["NamespacePath"]

register_engine_file(__file__)  # its frames are the import system's, like the path finder's

_PY315 = sys.version_info >= (3, 15)


class NamespacePath:
    """The ``__path__`` of a namespace package: its portions, searched again when stale.

    The portions are stale once the parent's path (``sys.path`` for a top-level
    package) differs from the one they were found along, or once
    ``PathFinder.invalidate_caches()`` has run since (a new epoch): a portion
    may have been added or removed.  Reading the path in any way checks that.
    """

    _epoch = 0  # bumped by PathFinder.invalidate_caches()

    def __init__(self, name: str, path: list[str], path_finder: Callable[..., Any]) -> None:
        self._name = name
        self._path = path
        self._path_finder = path_finder  # (name, parent path) -> spec, as PathFinder's search
        # the stdlib's names for what the portions were found along: code in the
        # wild reads ``pkg.__path__._last_parent_path`` and calls _recalculate()
        self._last_parent_path = tuple(self._parent_path())
        self._last_epoch = self._epoch

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
                ERR_PARENT_NOT_IMPORTED.format(parent=parent, name=self._name), name=parent
            ) from None
        return module.__path__

    def _recalculate(self) -> list[str]:
        """The portions, searched for again first when stale."""
        along = tuple(self._parent_path())
        if along != self._last_parent_path or self._last_epoch != NamespacePath._epoch:
            self._search_again(along)
        return self._path

    def _search_again(self, along: tuple[str, ...]) -> None:
        spec = self._path_finder(self._name, along)
        # A module or package that now shadows the namespace does not replace
        # __path__: the package already imported keeps working with what it has.
        if spec is not None and spec.loader is None and spec.submodule_search_locations:
            self._path = spec.submodule_search_locations
        self._last_parent_path = along
        self._last_epoch = NamespacePath._epoch

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
