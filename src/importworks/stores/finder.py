"""Finding modules in stores: the path hook, the path entry finder, opening stores.

``sys.path.append("app.sqlite")`` (or ``"app.zip"``, or ``"app.zip/lib"`` for a
prefix inside the archive) just works once :func:`store_path_hook` is on
``sys.path_hooks`` (``importworks.install()`` puts it there).  Module
``__file__`` values look like zipimport's: ``/x/app.sqlite/pkg/mod.py``.
"""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Iterator
from importlib.machinery import EXTENSION_SUFFIXES
from typing import TYPE_CHECKING, Any

from ..errors import ERR_NOT_A_STORE_FOLDER, WARN_UNUSABLE_STORE, StoreError, StoreTrustError
from ..spec import ModuleSpec
from . import registry
from .base import StoreBackend, check_entry_path
from .loader import StoreExtensionLoader, StoreLoader
from .opening import cached_store, forget_store, open_stores, refresh_store, when_refreshed
from .sniff import FileProbe, probe_file
from .trust import RefusedStoreFinder, admit, trusted_keys

if TYPE_CHECKING:
    from importlib.metadata import Distribution

__all__ = ["PendingStoreFinder", "StoreFinder", "split_store_path", "store_distributions", "store_path_hook"]

_warned: set[str] = set()
# stores being opened right now -> the thread opening each (see store_path_hook)
_opening: dict[str, int] = {}
# the cache folders of extracted (not zip-safe) packages -> the store their code is in
_extracted_roots: dict[str, StoreBackend] = {}
_SOURCE_SUFFIXES = (".py", ".pyc")
# A sys.path entry with one of these names is meant to be a store of a built-in kind: if
# it cannot be opened, say so (a RuntimeWarning) rather than quietly finding nothing in it.
# (Each registered backend claims its own, see registry.Backend.suffixes.)
CLAIMED_SUFFIXES = tuple(s for backend in registry.backends() for s in backend.suffixes)


def split_store_path(path: str) -> tuple[str, str] | None:
    """('/x/app.zip', 'lib/') for '/x/app.zip/lib'; None when no file is on the way."""
    candidate = path
    rest: list[str] = []
    while candidate:
        if os.path.isfile(candidate):
            prefix = "/".join(reversed(rest))
            return candidate, prefix + "/" if prefix else ""
        if os.path.isdir(candidate):
            return None
        parent, name = os.path.split(candidate)
        if parent == candidate:
            return None
        rest.append(name)
        candidate = parent
    return None


def store_path_hook(path: str) -> StoreFinder | PendingStoreFinder | RefusedStoreFinder:
    """The sys.path_hooks entry: a StoreFinder for store files and folders inside them."""
    if _extracted_roots and path:
        for root, store in _extracted_roots.items():
            if path.startswith(root):  # a folder of an extracted package: code from the store
                prefix = path[len(root) :].replace(os.sep, "/").strip("/")
                if store.is_dir(prefix):
                    return StoreFinder(store, prefix + "/", root.rstrip(os.sep))
    if path:
        # a folder of a store already open (a package's __path__): no system call
        for store in open_stores():
            if path.startswith(store.location + os.sep):
                prefix = path[len(store.location) + 1 :].replace(os.sep, "/").strip("/")
                if store.is_dir(prefix):
                    return StoreFinder(store, prefix + "/" if prefix else "")
    if not path:
        raise ImportError("not a store", path=path)
    if "://" in path:  # a URL: a backend serves its scheme, or it is not a store
        claimed = registry.claim(path)
        if claimed is not None:
            try:
                location, prefix = claimed.backend.locate(path)
            except StoreError as exc:
                _warn_once(path, exc)
                raise
            return _file_store_finder(path, location, prefix, None, url=True)
    if path in _opening:  # being opened further up this thread's stack (or another's): no second look
        return PendingStoreFinder(path, path, "")
    probe = probe_file(path)  # one open: a folder, a store file, or neither
    try:
        if probe is not None and (probe.is_dir or probe.fd < 0):
            raise ImportError("not a store", path=path)
        if probe is not None:
            return _file_store_finder(path, path, "", probe)
        found = split_store_path(path)  # 'app.zip/lib': a folder inside a store
        if found is None:
            raise ImportError("not a store", path=path)
        probe = probe_file(found[0])
        return _file_store_finder(path, *found, probe)
    finally:
        if probe is not None:
            probe.close()  # unless the store kept its descriptor


def _file_store_finder(
    path: str, location: str, prefix: str, probe: FileProbe | None, url: bool = False
) -> StoreFinder | PendingStoreFinder | RefusedStoreFinder:
    if location in _opening:
        # Opening the store imports (sqlite3, zlib...), and those imports search
        # sys.path, where this very store may come first.  Until it is open the
        # entry gets a finder that holds nothing for the opening thread (rather
        # than letting the next hook, zipimport, read it) and that becomes the
        # real finder on first use once the store is open: whoever cached it
        # (pkgutil keeps the first finder it sees) is never left with a dud.
        return PendingStoreFinder(path, location, prefix)
    if not url and registry.claim(location, probe) is None:
        raise ImportError("not a store", path=path)
    try:
        return _open_finder(path, location, prefix, probe)
    except StoreError as exc:
        return RefusedStoreFinder(path, location, exc)  # ours, and refused: no other hook reads it


def _open_finder(path: str, location: str, prefix: str, probe: FileProbe | None = None) -> StoreFinder:
    """Open the store at *location* (once per process) and make the finder for *path* in it."""
    me = threading.get_ident()
    opener = _opening.setdefault(location, me)
    refused = False
    try:
        store = cached_store(location, probe)
        try:
            store.index  # noqa: B018 - read the index now: a broken store fails here, once
        except StoreTrustError:
            # not signed by a trusted key, found before its index was decoded: the entry stays this
            # finder's, which refuses each module the store holds, naming its entry (trust.admit)
            refused = True
    except StoreError as exc:
        forget_store(location)
        _warn_once(location, exc)
        raise
    finally:
        if opener == me:
            _opening.pop(location, None)
    if prefix and not refused and not store.is_dir(prefix):
        raise ImportError(ERR_NOT_A_STORE_FOLDER.format(prefix=prefix, store=location), path=path)
    return StoreFinder(store, prefix)


class PendingStoreFinder:
    """The finder of a store entry met while the store is being opened.

    For the thread that is opening the store it finds nothing (that thread is
    importing what opening needs, which is not in the store).  Any later use
    opens the store (or waits for it to be open) and hands over to the real
    :class:`StoreFinder`, which also replaces this one in
    ``sys.path_importer_cache``.
    """

    def __init__(self, path: str, location: str, prefix: str) -> None:
        self.path = path
        self._location = location
        self._prefix = prefix
        self._finder: StoreFinder | None = None

    def __repr__(self) -> str:
        return f"PendingStoreFinder({self.path!r})"

    def _resolve(self) -> StoreFinder | None:
        if self._finder is not None:
            return self._finder
        if _opening.get(self._location) == threading.get_ident():
            return None  # still opening it, further up this thread's stack
        import sys

        try:
            finder = _open_finder(self.path, self._location, self._prefix)
        except StoreError as exc:
            finder = RefusedStoreFinder(self.path, self._location, exc)  # type: ignore[assignment]
        self._finder = finder
        if sys.path_importer_cache.get(self.path) is self:
            sys.path_importer_cache[self.path] = finder
        return finder

    def find_spec(self, fullname: str, target: Any = None) -> ModuleSpec | None:
        """The real finder's answer, or None while this thread opens the store."""
        finder = self._resolve()
        return None if finder is None else finder.find_spec(fullname, target)

    def iter_modules(self, prefix: str = "") -> Iterator[tuple[str, bool]]:
        """What the real finder lists (pkgutil.iter_modules)."""
        finder = self._resolve()
        return iter(()) if finder is None else finder.iter_modules(prefix)

    @property
    def store(self) -> StoreBackend | None:
        finder = self._resolve()
        return None if finder is None else finder.store

    @property
    def prefix(self) -> str:
        return self._prefix

    def invalidate_caches(self) -> None:
        """Nothing is cached until the store is open."""


def _warn_once(location: str, exc: StoreError) -> None:
    if location not in _warned:  # its modules silently missing would be worse
        _warned.add(location)
        warnings.warn(WARN_UNUSABLE_STORE.format(error=exc), RuntimeWarning, stacklevel=3)


def _looks_like_store(path: str) -> bool:
    """Whether a backend claims *path* by its URL scheme or its content (its name is not enough here)."""
    # told from the bytes alone: importing the backends here would search sys.path
    return registry.is_url(path) or registry.claims_content(path)


class StoreFinder:
    """The path entry finder for one folder ('' for the root) of a store."""

    def __init__(self, store: StoreBackend, prefix: str = "", root: str | None = None) -> None:
        self.store = store
        self.prefix = prefix
        self.root = root or store.location  # differs for packages extracted to the cache
        self.path = self.root + (os.sep + prefix.rstrip("/").replace("/", os.sep) if prefix else "")

    def __repr__(self) -> str:
        return f"StoreFinder({self.path!r})"

    def invalidate_caches(self) -> None:
        """Stores do not change while open; a rebuilt store is a new file (reopened on demand)."""

    def find_spec(self, fullname: str, target: Any = None) -> ModuleSpec | None:
        """A spec for the module, package or namespace portion *fullname* names here.

        A reload (*target* given) first checks whether the store file was
        rebuilt, as the folder finder checks its folder's mtime; plain imports
        do not, so a store costs no system call per module.
        """
        if target is not None:
            refresh_store(self.store.location)
        if trusted_keys() and not admit(self.store, self.prefix, fullname):
            return None  # signed by no trusted key, and without this name (else admit raised)
        tail = fullname.rpartition(".")[2]
        names = self.store.children(self.prefix)
        base = self.prefix + tail
        if tail in names and self.store.is_dir(base):
            extracted = self._extracted(fullname, base)
            if extracted is not None:
                return extracted
            for suffix in EXTENSION_SUFFIXES:  # a compiled __init__ first, as the folder finder does (mypyc)
                init = f"{base}/__init__{suffix}"
                if self.store.is_file(init):
                    return self._spec(fullname, init, StoreExtensionLoader, package=base)
            for suffix in _SOURCE_SUFFIXES:
                init = f"{base}/__init__{suffix}"
                if self.store.is_file(init):
                    return self._spec(fullname, init, StoreLoader, package=base)
            spec = ModuleSpec(fullname, None)
            spec.submodule_search_locations = [self.root + os.sep + base.replace("/", os.sep)]
            namespace = spec
        else:
            namespace = None
        for suffix in EXTENSION_SUFFIXES:  # the folder finder's order: extensions first
            if tail + suffix in names:
                return self._extracted(fullname, base + suffix) or self._spec(
                    fullname, base + suffix, StoreExtensionLoader
                )
        for suffix in _SOURCE_SUFFIXES:
            if tail + suffix in names:
                return self._extracted(fullname, base + suffix) or self._spec(fullname, base + suffix, StoreLoader)
        return namespace

    def _spec(self, fullname: str, entry: str, loader_class: type, package: str | None = None) -> ModuleSpec:
        loader = loader_class(self.store, fullname, entry, self.root)
        spec = ModuleSpec(fullname, loader, origin=loader.path, is_package=package is not None)
        spec.has_location = True
        if package is not None:
            spec.submodule_search_locations = [self.root + os.sep + package.replace("/", os.sep)]
        return spec

    def _extracted(self, fullname: str, name: str) -> ModuleSpec | None:
        """Top-level names the packer marked for extraction: files on disk, code still from the store.

        A group (one distribution's packages, top-level modules and vendored
        libraries, or one package that reads files beside ``__file__``) is
        written once to the private cache under the key the packer computed,
        all its names under one root, so relative paths between them hold as in
        site-packages (``$ORIGIN/../numpy.libs``, mypyc's shared library beside
        the packages).  Extension modules are loaded from there; Python modules
        keep coming from the store's precompiled code, through StoreFinders
        that store_path_hook makes for folders of the copy.  A warm start costs
        one ``stat`` per group.
        """
        key = self.store.extract.get(name)
        if key is None or self.prefix or self.root != self.store.location:
            return None
        from .cache import cache_root, materialize

        root = os.path.join(cache_root(), "pkg", key)
        if not os.path.isdir(root):
            tops = set(self.store.extract_group(name))
            paths = [path for path in self.store.index if path.partition("/")[0] in tops]
            for path in paths:
                check_entry_path(self.store.location, path)
            root = materialize("pkg", key, ((path, self.store.read(path)) for path in paths), self.store.executable)
        _extracted_roots[root + os.sep] = self.store
        return StoreFinder(self.store, "", root).find_spec(fullname)

    def iter_modules(self, prefix: str = "") -> Iterator[tuple[str, bool]]:
        """(name, is_package) for pkgutil.iter_modules."""
        seen = set()
        try:
            names = self.store.children(self.prefix)
        except StoreTrustError:
            return  # a refused store lists nothing
        for name in sorted(names):
            full = self.prefix + name
            if self.store.is_dir(full):
                module, ispkg = name, True
                if "." in name or not any(self.store.is_file(f"{full}/__init__{s}") for s in _SOURCE_SUFFIXES):
                    continue
            else:
                stem, dot, suffix = name.partition(".")
                if not dot or "." + suffix not in (*_SOURCE_SUFFIXES, *EXTENSION_SUFFIXES):
                    continue
                if stem == "__init__":  # any other name counts, as in a folder (Django's 0001_initial)
                    continue
                module, ispkg = stem, False
            if module not in seen:
                seen.add(module)
                yield prefix + module, ispkg


def store_distributions(entry: object, name: str | None) -> Iterator[Distribution] | None:
    """The distributions in the store a path entry names (its root only), or None when it names none.

    The path finder's find_distributions asks this first for each entry
    (importworks.wiring adds it with ``add_distribution_source``).
    """
    store = _store_at(entry)
    if store is None:
        return None
    from .metadata import find_store_distributions

    return find_store_distributions([store], name)


def _store_at(entry: object) -> StoreBackend | None:
    """The store a sys.path entry names (its root only), or None."""
    import sys

    finder = sys.path_importer_cache.get(entry, False)  # type: ignore[call-overload]
    if finder is None:
        return None  # no hook took it (a broken store warned already): do not try again
    store = getattr(finder, "store", None)
    if store is not None:
        return store if not finder.prefix else None
    if not isinstance(entry, str) or not entry:
        return None
    try:
        if "://" in entry:
            claimed = registry.claim(entry)
            if claimed is None:
                return None
            location, prefix = claimed.backend.locate(entry)
            return None if prefix or location in _opening else cached_store(location)
        if os.path.isfile(entry) and entry not in _opening and _looks_like_store(entry):
            return cached_store(entry)
    except StoreError:
        return None
    return None


def _switch_finders(location: str, store: StoreBackend) -> None:
    """The finders of *location* in sys.path_importer_cache search *store* from now on (a rebuilt store)."""
    import sys

    for finder in list(sys.path_importer_cache.values()):
        if isinstance(finder, StoreFinder) and finder.store.location == location:
            finder.store = store


when_refreshed(_switch_finders)
