"""The import ABCs under the names of :mod:`importlib.abc`.

The pure interfaces (Loader, MetaPathFinder, ...) are the stdlib's own, so a
class registered here passes ``isinstance`` checks everywhere.  The ABCs that
carry working code (InspectLoader, ExecutionLoader, FileLoader, SourceLoader)
subclass the stdlib ABC and take their code from importworks.
"""

from __future__ import annotations

import importlib.abc as _stock
import sys
from types import CodeType
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any

from . import machinery  # noqa: F401  (importlib.abc has it too)
from .engine._importlib_bootstrap import LoaderBasics
from .finders import compiled_in as _compiled_in
from .finders import loaders as _loaders
from .wiring.interop import register_abcs

if _TYPE_CHECKING:  # private: this module's names mirror importlib.abc's
    from typing_extensions import Buffer  # for the checker only: collections.abc has it from 3.12

__all__ = [
    "ExecutionLoader",
    "FileLoader",
    "InspectLoader",
    "Loader",
    "MetaPathFinder",
    "PathEntryFinder",
    "ResourceLoader",
    "SourceLoader",
]

Loader = _stock.Loader
MetaPathFinder = _stock.MetaPathFinder
PathEntryFinder = _stock.PathEntryFinder
ResourceLoader = _stock.ResourceLoader
if hasattr(_stock, "Finder"):  # Python < 3.12
    Finder = _stock.Finder
    __all__.append("Finder")
_MOVED_TO_RESOURCES = ("ResourceReader", "Traversable", "TraversableResources")
if sys.version_info < (3, 12):
    for _name in _MOVED_TO_RESOURCES:
        if hasattr(_stock, _name):
            globals()[_name] = getattr(_stock, _name)
elif sys.version_info < (3, 14):  # gone from importlib.abc in 3.14

    def __getattr__(name: str) -> Any:
        """The resources ABCs, deprecated here as in importlib.abc."""
        if name not in _MOVED_TO_RESOURCES:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        import importlib.resources.abc as resources_abc
        import warnings

        obj = getattr(resources_abc, name)
        warnings._deprecated(f"{__name__}.{name}", remove=(3, 14))  # type: ignore[attr-defined]
        globals()[name] = obj
        return obj


class InspectLoader(_stock.InspectLoader):
    """A loader that can show a module's source and code."""

    def get_code(self, fullname: str) -> CodeType | None:
        """get_source()'s text compiled; None for a module without source."""
        source = self.get_source(fullname)
        return None if source is None else self.source_to_code(source)

    exec_module = LoaderBasics.exec_module
    if sys.version_info < (3, 15):
        load_module = LoaderBasics.load_module


class ExecutionLoader(InspectLoader, _stock.ExecutionLoader):
    """An InspectLoader that also knows the module's file (for ``-m``)."""

    def get_code(self, fullname: str) -> CodeType | None:
        """get_source()'s text compiled as the file get_filename() names, when it names one.

        The path goes into the code object, so tracebacks and warnings show the
        file; a loader that cannot name it compiles under the default '<string>'.
        """
        source = self.get_source(fullname)
        if source is None:
            return None
        return self.source_to_code(source, *_filename_if_any(self, fullname))


def _filename_if_any(loader: ExecutionLoader, fullname: str) -> tuple[str, ...]:
    try:
        return (loader.get_filename(fullname),)
    except ImportError:
        return ()


class FileLoader(_loaders.FileLoader, ResourceLoader, ExecutionLoader):
    """Partial ResourceLoader and ExecutionLoader for loaders of one file."""

    exec_module = LoaderBasics.exec_module


class SourceLoader(_loaders.SourceLoader, ResourceLoader, ExecutionLoader):
    """Load from source, with bytecode caching when path_stats/set_data exist.

    Subclasses implement get_data() and get_filename().
    """

    # A subclass provides either method and gets the other from it; providing
    # neither is OSError ("no stats"), which turns the bytecode cache off.
    def path_mtime(self, path: str) -> float:
        """The modification time of *path*, as an int (from path_stats() if the subclass has it)."""
        if not _provides(self, "path_stats"):
            raise OSError
        return int(self.path_stats(path)["mtime"])

    def path_stats(self, path: str) -> dict[str, Any]:
        """{'mtime': ..., optionally 'size': ...} for *path* (from path_mtime() if the subclass has it)."""
        if not _provides(self, "path_mtime"):
            raise OSError
        return {"mtime": self.path_mtime(path)}

    def set_data(self, path: str, data: Buffer) -> None:
        """Write *data* to *path* if possible; failing silently is allowed."""

    get_code = _loaders.SourceLoader.get_code
    get_source = _loaders.SourceLoader.get_source
    source_to_code = _loaders.SourceLoader.source_to_code  # type: ignore[assignment]  # see finders/loaders.py: a method, not typeshed's static one
    exec_module = LoaderBasics.exec_module


def _provides(loader: SourceLoader, method: str) -> bool:
    """Whether *loader*'s *method* is its own, not SourceLoader's default."""
    return getattr(loader, method).__func__ is not getattr(SourceLoader, method)


def _register(abstract: Any, *classes: Any) -> None:
    for cls in classes:
        abstract.register(cls)


register_abcs()  # the stdlib ABCs (also done whenever importlib.abc is first imported)
_register(InspectLoader, _compiled_in.BuiltinImporter, _compiled_in.FrozenImporter, _loaders.NamespaceLoader)
_register(ExecutionLoader, _loaders.ExtensionFileLoader)
_register(FileLoader, _loaders.SourceFileLoader, _loaders.SourcelessFileLoader)
_register(SourceLoader, _loaders.SourceFileLoader)
