"""Where a module's source lives, and whether it changed since it was loaded.

Every question goes through the module's spec and loader first, so modules
from stores take part: a loader may define

* ``source_stamp(fullname) -> Hashable | None``: a value that changes whenever
  the module's source changes (a content hash, an entry's mtime...), and
* ``watch_paths(fullname) -> Sequence[str]``: the files to watch for it (the
  archive or database file: a rebuilt store is a change too).

Without them a module with a file origin is stamped with its file's
``(st_mtime_ns, st_size)`` and watched through that file.
"""

from __future__ import annotations

import os
import sys
import weakref
from collections.abc import Hashable, Iterable, Sequence
from types import ModuleType
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "SourceStampLoader",
    "SourceTracker",
    "is_project_module",
    "source_path",
    "source_stamp",
    "watch_paths",
]

_SOURCE_SUFFIXES = (".py", ".pyw")


@runtime_checkable
class SourceStampLoader(Protocol):
    """What a loader (a store's, say) defines to take part in live reload."""

    def source_stamp(self, fullname: str) -> Hashable | None:
        """A value that changes whenever *fullname*'s source changes."""

    def watch_paths(self, fullname: str) -> Sequence[str]:
        """The files whose changes may change *fullname*'s source."""


def _spec_and_loader(module: ModuleType) -> tuple[Any, Any]:
    spec = getattr(module, "__spec__", None)
    loader = getattr(spec, "loader", None) or getattr(module, "__loader__", None)
    return spec, loader


def _spec_name(module: ModuleType) -> str:
    spec = getattr(module, "__spec__", None)
    return getattr(spec, "name", None) or module.__name__


def source_path(module: ModuleType) -> str | None:
    """The ``.py`` file *module* was executed from, or None."""
    spec = getattr(module, "__spec__", None)
    # a script run by runpy.run_path has no spec, only __file__
    origin = getattr(module, "__file__", None) if spec is None else spec.origin if spec.has_location else None
    if isinstance(origin, str) and origin.endswith(_SOURCE_SUFFIXES):
        return origin
    return None


def source_stamp(module: ModuleType) -> Hashable | None:
    """A value that changes when *module*'s source changes; None if unknown."""
    _, loader = _spec_and_loader(module)
    hook = getattr(loader, "source_stamp", None)
    if hook is not None:
        return hook(_spec_name(module))
    path = source_path(module)
    if path is None:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def watch_paths(module: ModuleType) -> list[str]:
    """The files to watch for changes of *module*."""
    _, loader = _spec_and_loader(module)
    hook = getattr(loader, "watch_paths", None)
    if hook is not None:
        return [os.fspath(p) for p in hook(_spec_name(module))]
    path = source_path(module)
    return [path] if path else []


def _library_dirs() -> tuple[str, ...]:
    global _LIBRARY_DIRS
    if _LIBRARY_DIRS:
        return _LIBRARY_DIRS
    import sysconfig  # only when first needed: it costs importworks' own import time

    paths = sysconfig.get_paths()
    dirs = {paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib") if key in paths}
    dirs.add(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # importworks itself
    _LIBRARY_DIRS = tuple(sorted(os.path.join(os.path.realpath(d), "") for d in dirs))
    return _LIBRARY_DIRS


_LIBRARY_DIRS: tuple[str, ...] = ()


def is_project_module(module: Any) -> bool:
    """Is *module* the user's code: reloadable source outside the stdlib and site-packages?"""
    if not isinstance(module, ModuleType):
        return False
    _, loader = _spec_and_loader(module)
    if hasattr(loader, "source_stamp"):
        return True
    path = source_path(module)
    if path is None:
        return False
    return not os.path.realpath(path).startswith(_library_dirs())


class SourceTracker:
    """Remember each project module's stamp; say which ones changed since."""

    def __init__(self) -> None:
        self._stamps: dict[str, Hashable | None] = {}
        self._by_path: dict[str, set[str]] = {}  # real path of a watched file -> module names
        # every module examined, project or not (a weak reference: ids of dead modules get reused)
        self._seen: dict[str, Any] = {}

    def record(self, name: str, module: ModuleType | None = None) -> None:
        """Take *name*'s current stamp as the one its running code came from."""
        module = module if module is not None else sys.modules.get(name)
        if module is None:
            return
        try:
            self._seen[name] = weakref.ref(module)
        except TypeError:
            return
        if is_project_module(module):
            self._stamps[name] = source_stamp(module)
            for path in watch_paths(module):
                self._by_path.setdefault(os.path.realpath(path), set()).add(name)
        else:
            self._stamps.pop(name, None)

    def snapshot(self) -> None:
        """Stamp every project module not stamped yet."""
        for name, module in list(sys.modules.items()):
            seen = self._seen.get(name)
            if seen is None or seen() is not module:  # new, or another module under that name
                self.record(name, module)

    def changed(self, paths: Iterable[str] | None = None) -> list[str]:
        """Names of modules whose source changed (only those watched through *paths*, if given)."""
        self.snapshot()
        if paths is None:
            names: Iterable[str] = list(self._stamps)
        else:
            found: set[str] = set()
            for path in paths:
                found.update(self._by_path.get(os.path.realpath(path), ()))
            names = [n for n in self._stamps if n in found]  # keep import order
        result = []
        for name in names:
            module = sys.modules.get(name)
            if module is None:
                del self._stamps[name]
            elif source_stamp(module) != self._stamps[name]:
                result.append(name)
        return result

    def roots(self) -> list[str]:
        """The fewest folders that hold every tracked module's watched files."""
        folders = {os.path.dirname(path) for path in self._by_path}
        kept: list[str] = []
        for folder in sorted(folders):
            if not any(folder == k or folder.startswith(os.path.join(k, "")) for k in kept):
                kept.append(folder)
        return kept
