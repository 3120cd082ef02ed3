"""Finding modules on sys.path: the path-based finder and the folder finder.

:class:`PathFinder` sits on ``sys.meta_path``.  For each entry of ``sys.path``
(or of a package's ``__path__``) it gets a *path entry finder* from
``sys.path_importer_cache``, asking ``sys.path_hooks`` the first time.  For a
folder that finder is a :class:`FileFinder`, which lists the folder once and
answers from the listing until the folder's mtime changes or
``invalidate_caches()`` is called.

A folder without ``__init__`` is a *portion* of a PEP 420 namespace package;
portions from every entry are gathered into a
:class:`~importworks.finders.namespace.NamespacePath` that follows later changes
to its parent's path.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from ..engine.tracebacks import register_engine_file
from ..spec import ModuleSpec, object_name, spec_from_loader
from .loaders import spec_from_file_location, supported_file_loaders
from .namespace import NamespacePath

if TYPE_CHECKING:
    from importlib.metadata import Distribution

__all__ = ["DistributionSource", "FileFinder", "PathFinder", "add_distribution_source"]

register_engine_file(__file__)

_PY312 = sys.version_info >= (3, 12)
_PY315 = sys.version_info >= (3, 15)
_CASE_INSENSITIVE = ("win", "cygwin", "darwin")

# Path entries that are not folders but hold distributions (module stores): the
# layers above add a source(entry, name) that returns the distributions of an
# entry it knows, or None for any other; the folder's metadata is read otherwise.
DistributionSource = Callable[[object, "str | None"], "Iterable[Distribution] | None"]
_distribution_sources: list[DistributionSource] = []


def add_distribution_source(source: DistributionSource) -> None:
    """Have PathFinder.find_distributions ask *source* about each path entry first."""
    if source not in _distribution_sources:
        _distribution_sources.append(source)


def _relax_case() -> bool:
    """True when PYTHONCASEOK asks for case-insensitive matching (on such systems)."""
    if not sys.platform.startswith(_CASE_INSENSITIVE):
        return False
    return not sys.flags.ignore_environment and "PYTHONCASEOK" in os.environ


def _is_dir(path: str) -> bool:
    try:
        return os.path.isdir(path or os.getcwd())
    except OSError:
        return False


def _is_file(path: str) -> bool:
    try:
        return os.path.isfile(path)
    except (OSError, ValueError):
        return False


def _join(folder: str, name: str) -> str:
    return folder + os.sep + name if folder and not folder.endswith(os.sep) else folder + name


class PathFinder:
    """The meta path finder for sys.path and package ``__path__`` entries."""

    @staticmethod
    def invalidate_caches() -> None:
        """Forget cached folder listings and the finders of relative entries."""
        cache = sys.path_importer_cache
        for entry, finder in list(cache.items()):
            if finder is None or (sys.version_info >= (3, 11) and not os.path.isabs(entry)):
                cache.pop(entry, None)
            elif hasattr(finder, "invalidate_caches"):
                finder.invalidate_caches()
        NamespacePath._epoch += 1

    @staticmethod
    def _path_hooks(entry: str) -> Any:
        """Ask each of sys.path_hooks for a finder of *entry*."""
        if sys.path_hooks is not None and not sys.path_hooks:
            warnings.warn("sys.path_hooks is empty", ImportWarning)
        for hook in sys.path_hooks:
            try:
                return hook(entry)
            except ImportError:
                continue
        return None

    @classmethod
    def _path_importer_cache(cls, entry: str) -> Any:
        """The finder for *entry*, from sys.path_importer_cache or freshly made."""
        if entry == "":
            try:
                entry = os.getcwd()
            except FileNotFoundError:
                return None  # the working directory is gone
        try:
            return sys.path_importer_cache[entry]
        except KeyError:
            finder = cls._path_hooks(entry)
            sys.path_importer_cache[entry] = finder
            return finder

    @staticmethod
    def _legacy_spec(fullname: str, finder: Any) -> ModuleSpec:
        # Python 3.10 and 3.11 still ask path entry finders without find_spec()
        if hasattr(finder, "find_loader"):
            warnings.warn(f"{object_name(finder)}.find_spec() not found; falling back to find_loader()", ImportWarning)
            loader, portions = finder.find_loader(fullname)
        else:
            warnings.warn(f"{object_name(finder)}.find_spec() not found; falling back to find_module()", ImportWarning)
            loader, portions = finder.find_module(fullname), []
        if loader is not None:
            return spec_from_loader(fullname, loader)
        spec = ModuleSpec(fullname, None)
        spec.submodule_search_locations = portions
        return spec

    @classmethod
    def _get_spec(cls, fullname: str, path: Iterable[Any], target: Any = None) -> ModuleSpec | None:
        """The first spec with a loader along *path*, else a namespace of all portions."""
        portions: list[str] = []
        for entry in path:
            if not isinstance(entry, str):
                continue
            finder = cls._path_importer_cache(entry)
            if finder is None:
                continue
            if hasattr(finder, "find_spec"):
                spec = finder.find_spec(fullname, target)
            elif _PY312:
                continue
            else:
                spec = cls._legacy_spec(fullname, finder)
            if spec is None:
                continue
            if spec.loader is not None:
                return spec
            found = spec.submodule_search_locations
            if found is None:
                raise ImportError("spec missing loader")
            portions.extend(found)
        spec = ModuleSpec(fullname, None)
        spec.submodule_search_locations = portions
        return spec

    @classmethod
    def find_spec(cls, fullname: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        """Search *path* (default sys.path) for *fullname*."""
        if path is None:
            path = sys.path
        spec = cls._get_spec(fullname, path, target)
        if spec is None:
            return None
        if spec.loader is None:
            portions = spec.submodule_search_locations
            if not portions:
                return None
            spec.origin = None
            spec.submodule_search_locations = NamespacePath(fullname, portions, cls._get_spec)
        return spec

    if _PY315:

        @classmethod
        def discover(cls, parent: ModuleSpec | None = None) -> Iterator[ModuleSpec]:
            """Specs of the modules under *parent* (top-level ones when None), entry by entry."""
            if parent is None:
                path: Iterable[Any] = sys.path
            elif parent.submodule_search_locations is None:
                raise ValueError(f"{parent} is not a package module")
            else:
                path = parent.submodule_search_locations
            for entry in set(path):
                if not isinstance(entry, str):
                    continue
                finder = cls._path_importer_cache(entry)
                discover = getattr(finder, "discover", None)
                if discover:
                    yield from discover(parent)

    @staticmethod
    def find_distributions(context: Any = None, **kwargs: Any) -> Iterator[Any]:
        """Installed distributions along the path, in folders and in stores (importlib.metadata)."""
        from importlib.metadata import DistributionFinder, MetadataPathFinder

        if context is None:
            context = DistributionFinder.Context(**kwargs)
        for entry in context.path:
            for source in _distribution_sources:
                found = source(entry, context.name)
                if found is not None:
                    yield from found
                    break
            else:
                yield from MetadataPathFinder.find_distributions(
                    DistributionFinder.Context(name=context.name, path=[entry])
                )

    if not _PY312:

        @classmethod
        def find_module(cls, fullname: str, path: Any = None) -> Any:
            """Deprecated: use find_spec()."""
            warnings.warn(
                "PathFinder.find_module() is deprecated and slated for removal in Python 3.12; use find_spec() instead",
                DeprecationWarning,
                stacklevel=2,
            )
            spec = cls.find_spec(fullname, path)
            return None if spec is None else spec.loader


class FileFinder:
    """The path entry finder for one folder, answering from a cached listing."""

    def __init__(self, path: str, *loader_details: tuple[Any, Iterable[str]]) -> None:
        self._loaders = [(suffix, loader) for loader, suffixes in loader_details for suffix in suffixes]
        if sys.version_info < (3, 11):
            path = path or "."
            self.path = path if os.path.isabs(path) else _join(os.getcwd(), path)
        elif not path or path == ".":
            self.path = os.getcwd()
        elif os.path.isabs(path):
            self.path = path
        else:
            if sys.version_info >= (3, 13) and path.startswith("." + os.sep):
                path = path[2:]
            self.path = _join(os.getcwd(), path)
        self._path_mtime: float = -1
        self._path_cache: set[str] = set()
        self._relaxed_path_cache: set[str] = set()

    def invalidate_caches(self) -> None:
        """Re-list the folder on the next search."""
        self._path_mtime = -1

    def _get_spec(
        self, loader_class: Any, fullname: str, path: str, search_locations: list[str] | None, target: Any
    ) -> ModuleSpec | None:
        loader = loader_class(fullname, path)
        return spec_from_file_location(fullname, path, loader=loader, submodule_search_locations=search_locations)

    def _refresh(self) -> None:
        try:
            mtime = os.stat(self.path or os.getcwd()).st_mtime
        except OSError:
            mtime = -1
        if mtime != self._path_mtime:
            self._fill_cache()
            self._path_mtime = mtime

    def find_spec(self, fullname: str, target: Any = None) -> ModuleSpec | None:
        """A spec for the module, package or namespace portion *fullname* names here."""
        tail = fullname.rpartition(".")[2]
        self._refresh()
        if _relax_case():
            cache, key = self._relaxed_path_cache, tail.lower()
        else:
            cache, key = self._path_cache, tail
        is_namespace = False
        if key in cache:
            base = _join(self.path, tail)
            for suffix, loader_class in self._loaders:
                init = _join(base, "__init__" + suffix)
                if _is_file(init):
                    return self._get_spec(loader_class, fullname, init, [base], target)
            is_namespace = _is_dir(base)
        for suffix, loader_class in self._loaders:
            full_path = _join(self.path, tail + suffix)
            if key + suffix in cache and _is_file(full_path):
                return self._get_spec(loader_class, fullname, full_path, None, target)
        if is_namespace:
            spec = ModuleSpec(fullname, None)
            spec.submodule_search_locations = [base]
            return spec
        return None

    def _fill_cache(self) -> None:
        try:
            contents = os.listdir(self.path or os.getcwd())
        except (FileNotFoundError, PermissionError, NotADirectoryError):
            contents = []
        self._path_cache = set(contents)
        if sys.platform.startswith(_CASE_INSENSITIVE):
            self._relaxed_path_cache = {name.lower() for name in contents}

    if _PY315:

        def _module_names(self) -> Iterator[str]:
            """The names of the modules and packages in this folder, each suffix once."""
            with os.scandir(self.path) as entries:  # a folder gone since: OSError, as in CPython
                yield from self._names_among(entries)

        def _names_among(self, entries: Iterator[os.DirEntry[str]]) -> Iterator[str]:
            for entry in entries:
                if entry.name == "__pycache__":
                    continue
                try:
                    if entry.is_dir() and "." not in entry.name:
                        yield entry.name
                    if entry.is_file():
                        yield from {
                            entry.name.removesuffix(suffix)
                            for suffix, _ in self._loaders
                            if entry.name.endswith(suffix)
                        }
                except OSError:
                    continue

        def discover(self, parent: ModuleSpec | None = None) -> Iterator[ModuleSpec]:
            """The specs of the modules this folder holds, as children of *parent*."""
            if parent and parent.submodule_search_locations is None:
                raise ValueError(f"{parent} is not a package module")
            prefix = f"{parent.name}." if parent else ""
            for name in self._module_names():
                spec = self.find_spec(prefix + name)
                if spec:
                    yield spec

    def iter_modules(self, prefix: str = "") -> Iterator[tuple[str, bool]]:
        """(name, is_package) for each module and package in this folder (pkgutil.iter_modules).

        pkgutil knows only the stock finder's type; every other finder answers
        for itself through this method.  What counts as a module is what this
        finder's own loaders would load.
        """
        suffixes = sorted({suffix for suffix, _ in self._loaders}, key=len, reverse=True)
        try:
            names = sorted(os.listdir(self.path or os.getcwd()))
        except OSError:
            return
        seen: set[str] = set()
        for name in names:
            module, is_package = _module_name(name, suffixes), False
            if module is None:
                if "." in name or not _is_package_folder(_join(self.path, name), suffixes):
                    continue
                module, is_package = name, True
            if module == "__init__" or "." in module or module in seen:
                continue
            seen.add(module)
            yield prefix + module, is_package

    @classmethod
    def path_hook(cls, *loader_details: tuple[Any, Iterable[str]]) -> Callable[[str], FileFinder]:
        """A sys.path_hooks entry that makes a FileFinder for folders."""

        def path_hook_for_FileFinder(path: str) -> FileFinder:
            if not _is_dir(path):
                raise ImportError("only directories are supported", path=path)
            return cls(path, *loader_details)

        return path_hook_for_FileFinder

    def __repr__(self) -> str:
        return f"FileFinder({self.path!r})"

    if not _PY312:

        def find_loader(self, fullname: str) -> tuple[Any, list[str]]:
            """Deprecated: use find_spec()."""
            warnings.warn(
                "FileFinder.find_loader() deprecated and slated for removal in Python 3.12; use find_spec() instead",
                DeprecationWarning,
                stacklevel=2,
            )
            spec = self.find_spec(fullname)
            if spec is None:
                return None, []
            return spec.loader, spec.submodule_search_locations or []

        def find_module(self, fullname: str) -> Any:
            """Deprecated: use find_spec()."""
            return self.find_loader(fullname)[0]


def _module_name(filename: str, suffixes: list[str]) -> str | None:
    """'mod' for 'mod.py' (the longest matching suffix wins), None for anything else."""
    for suffix in suffixes:
        if filename.endswith(suffix) and len(filename) > len(suffix):
            return filename[: -len(suffix)]
    return None


def _is_package_folder(folder: str, suffixes: list[str]) -> bool:
    try:
        return any(_module_name(name, suffixes) == "__init__" for name in os.listdir(folder))
    except OSError:
        return False


def default_path_hook() -> Callable[[str], FileFinder]:
    """The folder hook with the standard loaders (extensions, source, bytecode)."""
    return FileFinder.path_hook(*supported_file_loaders())
