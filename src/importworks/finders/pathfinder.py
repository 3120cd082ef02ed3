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
import warnings  # warned with stacklevel=1, as by CPython's import system: at its own line, not the importer's
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ..engine.tracebacks import register_engine_file
from ..errors import ERR_NOT_A_FOLDER, ERR_NOT_A_PACKAGE_SPEC, ERR_SPEC_MISSING_LOADER
from ..spec import ModuleSpec, object_name, spec_from_loader
from .loaders import spec_from_file_location, supported_file_loaders
from .namespace import NamespacePath

if TYPE_CHECKING:
    from importlib.metadata import Distribution

__all__ = ["DistributionSource", "FileFinder", "PathFinder", "add_distribution_source"]

register_engine_file(__file__)

_PY311 = sys.version_info >= (3, 11)
_PY312 = sys.version_info >= (3, 12)
_PY313 = sys.version_info >= (3, 13)
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


class PathEntryCache:
    """The path entry finder of each ``sys.path`` entry, made once by ``sys.path_hooks``.

    The cache is ``sys.path_importer_cache`` itself, looked up afresh on each
    use: the stdlib (pkgutil, runpy) and tools read it and put finders in it.
    An entry is built the first time it is asked for: the first hook that
    does not raise ImportError makes its finder, or the entry records None
    ("no hook takes it").  It is rebuilt only after invalidate() dropped it,
    which drops

    * the None entries: a hook added or a folder created since may take them;
    * relative entries (from 3.11): they name another folder once the working
      directory changes;

    and keeps every other finder, telling it to forget its own caches.
    """

    def finder_for(self, entry: str) -> Any:
        """The finder for *entry*, built on first use; None when no hook takes it.

        '' stands for the working directory and is looked up under its name,
        except when the working directory is gone: then nothing is cached, as
        it may come back.
        """
        if entry == "":
            try:
                entry = os.getcwd()
            except FileNotFoundError:
                return None
        cache = sys.path_importer_cache
        try:
            return cache[entry]
        except KeyError:
            finder = cache[entry] = self._build(entry)
            return finder

    @staticmethod
    def _build(entry: str) -> Any:
        if sys.path_hooks is not None and not sys.path_hooks:
            warnings.warn("sys.path_hooks is empty", ImportWarning, stacklevel=1)
        for hook in sys.path_hooks:
            try:
                return hook(entry)
            except ImportError:
                continue  # not this hook's kind of entry
        return None

    @staticmethod
    def is_rebuilt_on_invalidate(entry: Any, finder: Any) -> bool:
        """Whether invalidate() drops *entry* (see the class docstring)."""
        return finder is None or (_PY311 and not os.path.isabs(entry))

    def invalidate(self) -> None:
        """Drop the entries to rebuild; tell the finders kept to forget their caches."""
        cache: dict[Any, Any] = sys.path_importer_cache
        for entry, finder in list(cache.items()):
            if self.is_rebuilt_on_invalidate(entry, finder):
                cache.pop(entry, None)
            elif hasattr(finder, "invalidate_caches"):
                finder.invalidate_caches()


path_entries = PathEntryCache()


def _namespace_spec(fullname: str, portions: list[str]) -> ModuleSpec:
    """A loader-less spec whose search locations are namespace *portions*."""
    spec = ModuleSpec(fullname, None)
    spec.submodule_search_locations = portions
    return spec


def _search_path_of(parent: ModuleSpec | None) -> Iterable[Any]:
    """Where *parent*'s submodules are searched (sys.path for None); ValueError for a plain module."""
    if parent is None:
        return sys.path
    if parent.submodule_search_locations is None:
        raise ValueError(ERR_NOT_A_PACKAGE_SPEC.format(parent=parent))
    return parent.submodule_search_locations


def _legacy_spec(fullname: str, finder: Any) -> ModuleSpec | None:
    # Python 3.10 and 3.11 still ask path entry finders without find_spec()
    if hasattr(finder, "find_loader"):
        warnings.warn(
            f"{object_name(finder)}.find_spec() not found; falling back to find_loader()", ImportWarning, stacklevel=1
        )
        loader, portions = finder.find_loader(fullname)
    else:
        warnings.warn(
            f"{object_name(finder)}.find_spec() not found; falling back to find_module()", ImportWarning, stacklevel=1
        )
        loader, portions = finder.find_module(fullname), []
    if loader is not None:
        return spec_from_loader(fullname, loader)
    return _namespace_spec(fullname, portions)


def _spec_at(entry: Any, fullname: str, target: Any) -> ModuleSpec | None:
    """What the finder of path entry *entry* says of *fullname*; None for entries that are not str."""
    if not isinstance(entry, str):
        return None
    finder = path_entries.finder_for(entry)
    if finder is None:
        return None
    if _PY312 or hasattr(finder, "find_spec"):
        # 3.12+ asks find_spec() unconditionally: a finder without it is an AttributeError
        return finder.find_spec(fullname, target)
    return _legacy_spec(fullname, finder)


class PathFinder:
    """The meta path finder for sys.path and package ``__path__`` entries."""

    @staticmethod
    def invalidate_caches() -> None:
        """Forget cached folder listings, unusable entries and relative ones (see PathEntryCache)."""
        path_entries.invalidate()
        NamespacePath._epoch += 1
        if _PY313:
            # 3.13+: importlib.metadata's folder listings, cached by mtime, are
            # forgotten too.  Only once it is imported: before that it has no
            # caches, and importing it here would load its dependencies for every caller.
            metadata = sys.modules.get("importlib.metadata")
            if metadata is not None:
                metadata.MetadataPathFinder.invalidate_caches()

    @classmethod
    def _path_importer_cache(cls, entry: str) -> Any:
        # the stdlib's private name, which debugging scripts in the wild call
        return path_entries.finder_for(entry)

    @classmethod
    def _search(cls, fullname: str, path: Iterable[Any], target: Any = None) -> ModuleSpec:
        """The first spec with a loader along *path*; else a loader-less one of every namespace portion.

        Portions are gathered in path order, as the namespace's __path__ lists them.
        """
        portions: list[str] = []
        for entry in path:
            spec = _spec_at(entry, fullname, target)
            if spec is None:
                continue
            if spec.loader is not None:
                return spec
            if spec.submodule_search_locations is None:
                raise ImportError(ERR_SPEC_MISSING_LOADER)
            portions.extend(spec.submodule_search_locations)
        return _namespace_spec(fullname, portions)

    @classmethod
    def find_spec(cls, fullname: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        """Search *path* (default sys.path) for *fullname*: a module, a package or a namespace."""
        spec = cls._search(fullname, sys.path if path is None else path, target)
        if spec.loader is not None:
            return spec
        portions = spec.submodule_search_locations
        if not portions:
            return None  # not even a namespace portion anywhere
        spec.submodule_search_locations = NamespacePath(fullname, portions, cls._search)  # type: ignore[assignment]
        return spec

    if _PY315:

        @classmethod
        def discover(cls, parent: ModuleSpec | None = None) -> Iterator[ModuleSpec]:
            """Specs of the modules under *parent* (top-level ones when None), entry by entry.

            An entry listed twice is searched once; finders without discover() are passed over.
            """
            for entry in dict.fromkeys(_search_path_of(parent)):
                if isinstance(entry, str):
                    discover = getattr(path_entries.finder_for(entry), "discover", None)
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


def _finder_folder(entry: str) -> str:
    """The absolute folder a FileFinder searches for path entry *entry*, by this Python's rules.

    '' and '.' are the working directory (from 3.11; 3.10 keeps them as
    'CWD/.'), and from 3.13 a relative './x' is 'CWD/x', as os.path.abspath
    would give without normalising anything else.
    """
    if sys.version_info < (3, 11):
        entry = entry or "."
    elif not entry or entry == ".":
        return os.getcwd()
    if os.path.isabs(entry):
        return entry
    if sys.version_info >= (3, 13) and entry.startswith("." + os.sep):
        entry = entry[2:]
    return _join(os.getcwd(), entry)


def _portion_spec(fullname: str, folder: str) -> ModuleSpec:
    return _namespace_spec(fullname, [folder])


class FileFinder:
    """The path entry finder for one folder, answering from a cached listing.

    The folder is listed again when its mtime differs from the listing's
    (a file added or removed changes it) or after invalidate_caches(), for
    files changed within the mtime's resolution.
    """

    def __init__(self, path: str, *loader_details: tuple[Any, Iterable[str]]) -> None:
        # (suffix, loader class), in search order
        self._loaders = [(suffix, loader) for loader, suffixes in loader_details for suffix in suffixes]
        self.path = _finder_folder(path)
        # _path_mtime and _path_cache are the stdlib's names: CPython's test_finder
        # sets _path_mtime, and tools in the wild read _path_cache as the listing
        self._path_mtime: float = -1
        self._path_cache: set[str] = set()
        self._lowercase_names: set[str] = set()  # for PYTHONCASEOK, on systems that honour it

    def invalidate_caches(self) -> None:
        """List the folder again on the next search."""
        self._path_mtime = -1

    # The stdlib's hook name and signature: subclasses of FileFinder override it
    # to adjust the specs it makes.
    def _get_spec(
        self, loader_class: Any, fullname: str, path: str, search_locations: list[str] | None, target: Any
    ) -> ModuleSpec | None:
        loader = loader_class(fullname, path)
        return spec_from_file_location(fullname, path, loader=loader, submodule_search_locations=search_locations)

    def _listed(self) -> Callable[[str], bool]:
        """A test of whether the folder's listing, brought up to date, has a file name.

        Under PYTHONCASEOK (on case-insensitive systems) the test ignores case.
        """
        try:
            mtime = os.stat(self.path or os.getcwd()).st_mtime
        except OSError:
            mtime = -1
        if mtime != self._path_mtime:
            self._fill_cache()
            self._path_mtime = mtime
        if _relax_case():
            lowercase = self._lowercase_names
            return lambda name: name.lower() in lowercase
        return self._path_cache.__contains__

    def find_spec(self, fullname: str, target: Any = None) -> ModuleSpec | None:
        """A spec for what *fullname* names in this folder, or None.

        A package (NAME/__init__.*) comes first, then a module (NAME.*), then a
        namespace portion (a folder NAME/ without __init__); between files,
        the order of the loaders decides (extensions, source, bytecode).  The
        listing only rules names out: a listed file is checked on disk.
        """
        name = fullname.rpartition(".")[2]
        listed = self._listed()
        folder = _join(self.path, name)
        if listed(name):
            for suffix, loader_class in self._loaders:
                init = _join(folder, "__init__" + suffix)
                if _is_file(init):
                    return self._get_spec(loader_class, fullname, init, [folder], target)
        for suffix, loader_class in self._loaders:
            file = _join(self.path, name + suffix)
            if listed(name + suffix) and _is_file(file):
                return self._get_spec(loader_class, fullname, file, None, target)
        if listed(name) and _is_dir(folder):
            return _portion_spec(fullname, folder)
        return None

    def _fill_cache(self) -> None:
        try:
            names = os.listdir(self.path or os.getcwd())
        except (FileNotFoundError, PermissionError, NotADirectoryError):
            names = []  # gone, unreadable or now a file: nothing to import from here
        self._path_cache = set(names)
        if sys.platform.startswith(_CASE_INSENSITIVE):
            self._lowercase_names = {name.lower() for name in names}

    if _PY315:

        def _module_names(self) -> Iterator[str]:
            """The names of the modules and packages in this folder (a folder gone since: OSError, as in CPython)."""
            with os.scandir(self.path) as entries:
                for entry in entries:
                    if entry.name != "__pycache__":
                        yield from self._names_offered_by(entry)

        def _names_offered_by(self, entry: os.DirEntry[str]) -> set[str]:
            """A package folder's name, or a file's name less each loader suffix it ends in."""
            try:
                if entry.is_dir():
                    return set() if "." in entry.name else {entry.name}
                if entry.is_file():
                    name = entry.name
                    return {name.removesuffix(suffix) for suffix, _ in self._loaders if name.endswith(suffix)}
            except OSError:
                pass  # gone or unreadable since the listing: passed over
            return set()

        def discover(self, parent: ModuleSpec | None = None) -> Iterator[ModuleSpec]:
            """The specs of the modules this folder holds, as children of *parent*."""
            _search_path_of(parent)  # a parent must be a package
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
        """A sys.path_hooks entry that makes a *cls* for each folder (ImportError for anything else)."""

        # The stdlib's name for this closure: tools find the folder hook among
        # sys.path_hooks by ``__name__ == "path_hook_for_FileFinder"`` to put
        # their own before it, and beartype reads its qualname and closure cells.
        def path_hook_for_FileFinder(path: str) -> FileFinder:
            return cls(_folder_only(path), *loader_details)

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


def _folder_only(path: str) -> str:
    """*path*, if it is a folder; ImportError (the next hook's turn) otherwise."""
    if not _is_dir(path):
        raise ImportError(ERR_NOT_A_FOLDER, path=path)
    return path


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
