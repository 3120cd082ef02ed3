"""Loaders: turn a spec into an executed module.

* :class:`SourceFileLoader` - ``.py`` files, with the ``__pycache__`` bytecode cache
* :class:`SourcelessFileLoader` - bare ``.pyc`` files
* :class:`ExtensionFileLoader` - C extensions, through the interpreter's ``_imp``
* :class:`NamespaceLoader` - PEP 420 packages, which have nothing to execute

Modules compiled into the interpreter (``BuiltinImporter``, ``FrozenImporter``)
are in :mod:`importworks.finders.compiled_in`.
"""

from __future__ import annotations

import contextlib
import importlib.machinery
import io
import os
import sys
from collections.abc import Callable
from importlib.machinery import EXTENSION_SUFFIXES
from types import CodeType, ModuleType
from typing import TYPE_CHECKING, Any

from ..engine._importlib_bootstrap import (
    LoaderBasics,
    create_extension_module,
    drop_load_module,
    exec_extension_module,
    load_module_shim,
)
from ..engine.tracebacks import register_engine_file
from ..errors import ERR_NO_SOURCE, ERR_WRONG_NAME
from ..spec import ModuleSpec, declares_package, use_file_loaders
from . import bytecode
from .namespace import NamespacePath

if TYPE_CHECKING:
    from typing_extensions import Buffer  # for the checker only: collections.abc has it from 3.12

__all__ = [
    "BYTECODE_SUFFIXES",
    "EXTENSION_SUFFIXES",
    "ExtensionFileLoader",
    "FileLoader",
    "NamespaceLoader",
    "SOURCE_SUFFIXES",
    "SourceFileLoader",
    "SourceLoader",
    "SourcelessFileLoader",
    "file_loader_for",
    "spec_from_file_location",
    "supported_file_loaders",
]

register_engine_file(__file__)

SOURCE_SUFFIXES = [".py"]
BYTECODE_SUFFIXES = list(bytecode.BYTECODE_SUFFIXES)
_OPTIMIZE = -1  # compile() at the interpreter's own -O level


def _own_name_only(method: Callable[..., Any]) -> Callable[..., Any]:
    """Make *method* act only for the loader's own module (a loader is made for one name).

    Called without a name, it acts for the loader's own; another name is an
    ImportError, so a loader handed to the wrong module says so.
    """

    def for_own_name(self: Any, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        if name is not None and name != self.name:
            raise ImportError(ERR_WRONG_NAME.format(loader_name=self.name, name=name), name=name)
        return method(self, self.name, *args, **kwargs)

    for attribute in ("__name__", "__qualname__", "__doc__"):
        setattr(for_own_name, attribute, getattr(method, attribute))
    return for_own_name


def _file_mode(path: str) -> int:
    """The mode a pyc should get: its source's, always owner-writable.

    Owner-write even for a read-only source, so the next change to the source
    can replace its stale pyc (on Windows a read-only file cannot be replaced).
    """
    try:
        return os.stat(path).st_mode | 0o200
    except OSError:
        return 0o666 | 0o200


class _CacheCheck:
    """One look at a source's cached pyc, and what it leaves for rebuilding it."""

    # a plain class: dataclasses would add its imports (inspect, re) to every start-up
    __slots__ = ("header", "mtime", "path", "size", "source", "source_hash")

    def __init__(self, path: str, mtime: int, size: int | None) -> None:
        self.path = path
        self.mtime = mtime
        self.size = size  # None when path_stats() gives no size: then it is not compared
        self.header: bytecode.PycHeader | None = None  # the cached pyc's, when readable
        self.source: bytes | None = None  # read to check a hash-based pyc: not read twice
        self.source_hash: bytes | None = None

    def header_for(self, source: bytes) -> bytecode.PycHeader:
        """The header of the pyc that replaces this one: of the same kind (timestamp if none).

        A hash-based pyc stays hash-based, so ``py_compile --invalidation-mode``
        choices survive a recompile.
        """
        if self.header is None or not self.header.hash_based:
            return bytecode.PycHeader.for_timestamp(self.mtime, len(source))
        digest = self.source_hash if self.source_hash is not None else bytecode.source_hash(source)
        return bytecode.PycHeader.for_hash(digest, self.header.check_source)


# ------------------------------------------------------------------ source
class SourceLoader(LoaderBasics):
    """get_code() for loaders that can read source and, maybe, cached bytecode.

    Subclasses provide get_filename(), get_data() and, to use the bytecode
    cache, path_stats() and set_data().
    """

    def path_mtime(self, path: str) -> float:
        """Deprecated: the modification time of *path* (use path_stats)."""
        raise OSError

    def path_stats(self, path: str) -> dict[str, Any]:
        """Return {'mtime': ..., 'size': ...} for *path*; OSError if unknown."""
        return {"mtime": self.path_mtime(path)}

    def _cache_bytecode(self, source_path: str, cache_path: str, data: Buffer) -> None:
        return self.set_data(cache_path, data)

    def set_data(self, path: str, data: Buffer) -> None:
        """Write *data* to *path*; the default cannot write."""

    def get_source(self, fullname: str) -> str:
        """The source text of *fullname*, decoded as its coding line says.

        Raises ImportError (not OSError) when the file cannot be read: that is
        what inspect, linecache and traceback catch from a loader.
        """
        return bytecode.decode_source(self._read_source(fullname))

    def _read_source(self, fullname: str) -> bytes:
        try:
            return self.get_data(self.get_filename(fullname))  # type: ignore[attr-defined]
        except OSError as exc:
            raise ImportError(ERR_NO_SOURCE, name=fullname) from exc

    if sys.version_info >= (3, 15):  # compile() learnt the module's name (for warnings filters)

        def source_to_code(
            self, data: Any, path: str = "<string>", fullname: str | None = None, *, _optimize: int = _OPTIMIZE
        ) -> CodeType:
            """Compile *data* (bytes, str or AST) as the body of module *fullname*."""
            return compile(data, path, "exec", dont_inherit=True, optimize=_optimize, module=fullname)

        def _compile_module(self, data: Any, path: str, fullname: str) -> CodeType:
            return self.source_to_code(data, path, fullname)
    else:

        def source_to_code(self, data: Any, path: str = "<string>", *, _optimize: int = _OPTIMIZE) -> CodeType:
            """Compile *data* (bytes, str or AST) as the body of a module."""
            return compile(data, path, "exec", dont_inherit=True, optimize=_optimize)

        def _compile_module(self, data: Any, path: str, fullname: str) -> CodeType:
            return self.source_to_code(data, path)

    def get_code(self, fullname: str) -> CodeType:
        """The module's code: from its cached pyc when current, else compiled (and cached)."""
        source_path: str = self.get_filename(fullname)  # type: ignore[attr-defined]
        check = self._cache_check(source_path)
        if check is not None:
            code = self._cached_code(fullname, source_path, check)
            if code is not None:
                return code
        # the cache check may have read the source already (a hash-based pyc)
        source = self.get_data(source_path) if check is None or check.source is None else check.source  # type: ignore[attr-defined]
        code = self._compile_module(source, source_path, fullname)
        if check is not None and not sys.dont_write_bytecode:
            pyc = bytecode.pyc_bytes(check.header_for(source), code)
            with contextlib.suppress(NotImplementedError):  # a loader that cannot write
                self._cache_bytecode(source_path, check.path, pyc)
        return code

    def _cache_check(self, source_path: str) -> _CacheCheck | None:
        """Where the pyc of *source_path* is and the stats to judge it by; None: no cache."""
        try:
            cache_path = bytecode.cache_from_source(source_path)
        except NotImplementedError:
            return None  # no cache tag: this interpreter keeps no bytecode cache
        try:
            stats = self.path_stats(source_path)
        except OSError:
            return None  # without stats a pyc can be neither trusted nor stamped
        return _CacheCheck(cache_path, int(stats["mtime"]), stats.get("size"))

    def _cached_code(self, fullname: str, source_path: str, check: _CacheCheck) -> CodeType | None:
        """The code in the pyc *check* names if it was compiled from this source, else None.

        A missing, foreign (other magic), truncated or stale pyc means compiling
        again; one whose body does not unmarshal to code is an error, as in CPython.
        """
        try:
            data = self.get_data(check.path)  # type: ignore[attr-defined]
        except OSError:
            return None
        details = {"name": fullname, "path": check.path}
        try:
            check.header = header = bytecode.PycHeader.parse(data, fullname, details)
        except (ImportError, EOFError):
            return None
        if header.must_hash_source():
            check.source = self.get_data(source_path)  # type: ignore[attr-defined]
            check.source_hash = bytecode.source_hash(check.source)
        if not header.matches(check.mtime, check.size, check.source_hash):
            return None
        body = memoryview(data)[bytecode.HEADER_SIZE :]
        return bytecode.compile_bytecode(body, fullname, check.path, source_path)


# ------------------------------------------------------------------ files
class FileLoader:
    """What every loader of one file has: a name, a path, and get_data()."""

    def __init__(self, fullname: str, path: str) -> None:
        self.name = fullname
        self.path = path

    def __eq__(self, other: object) -> bool:
        return self.__class__ == other.__class__ and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash(self.name) ^ hash(self.path)

    @_own_name_only
    def load_module(self, fullname: str) -> ModuleType:
        """Deprecated: use exec_module()."""
        return load_module_shim(self, fullname)

    @_own_name_only
    def get_filename(self, fullname: str) -> str:
        """The path of the file this loader reads."""
        return self.path

    def get_data(self, path: str) -> bytes:
        """The bytes of *path*.

        Files of code (source, extensions) are opened with io.open_code, so that
        audit hooks and verified-open handlers (PEP 578) see every code read;
        other files (bytecode, resources) are plain reads, as in CPython.
        """
        holds_code = isinstance(self, (SourceLoader, ExtensionFileLoader))
        with io.open_code(str(path)) if holds_code else io.FileIO(path, "r") as f:
            return f.read()

    @_own_name_only
    def get_resource_reader(self, module: str) -> Any:
        """The stdlib's reader of a package folder (it only needs our ``path``)."""
        from importlib.readers import FileReader

        return FileReader(self)  # type: ignore[arg-type]  # it reads only .path, which every file loader of ours has


# Tools decide whether to take a module over by checking the loader against the
# stdlib's classes: pytest rewrites asserts only for an importlib.machinery
# SourceFileLoader, typeguard instruments only those, pkg_resources and pkgutil
# pick their adapters by class.  So our file loaders derive from the stock ones
# for that check alone: every method is overridden (tests/unit/test_loaders.py
# holds that), none of the stock code runs.
# (typeshed types InspectLoader.source_to_code as a static method; importlib calls it on the loader,
# with the path and, from 3.15, the module name: ours follows importlib, hence the ignore)
class SourceFileLoader(FileLoader, SourceLoader, importlib.machinery.SourceFileLoader):  # type: ignore[misc]
    """Load ``.py`` files, caching their bytecode in ``__pycache__``."""

    def path_stats(self, path: str) -> dict[str, Any]:
        st = os.stat(path)
        return {"mtime": st.st_mtime, "size": st.st_size}

    def _cache_bytecode(self, source_path: str, cache_path: str, data: Buffer) -> None:
        self.set_data(cache_path, data, _mode=_file_mode(source_path))

    # ``_mode`` is the keyword of importlib.machinery.SourceFileLoader.set_data,
    # which subclasses written against the stdlib pass and override.
    def set_data(self, path: str, data: Buffer, *, _mode: int = 0o666) -> None:
        """Write a cache file atomically, creating its folders; a cache that cannot be written is skipped."""
        folder = os.path.dirname(path)
        try:
            if folder:
                os.makedirs(folder, exist_ok=True)  # another process may create it meanwhile
            bytecode.write_atomic(path, data, _mode)
        except OSError:
            pass  # read-only or forbidden: run from source, without a cache


class SourcelessFileLoader(FileLoader, LoaderBasics, importlib.machinery.SourcelessFileLoader):
    """Load bare ``.pyc`` files (no source beside them)."""

    def get_code(self, fullname: str) -> CodeType:
        """The code of the pyc file; its header is checked (magic, flags), there is no source to compare."""
        pyc = self.get_filename(fullname)
        data = self.get_data(pyc)
        bytecode.PycHeader.parse(data, fullname, {"name": fullname, "path": pyc})
        return bytecode.compile_bytecode(memoryview(data)[bytecode.HEADER_SIZE :], fullname, pyc)

    def get_source(self, fullname: str) -> None:
        """Bytecode has no source."""
        return None


class ExtensionFileLoader(FileLoader, LoaderBasics, importlib.machinery.ExtensionFileLoader):
    """Load C extension modules through the interpreter's own primitives."""

    create_module = create_extension_module
    # defined in the engine's file, so a C extension warning at init is attributed
    # to the importing code as with the stock loaders
    exec_module = exec_extension_module

    def is_package(self, fullname: str) -> bool:
        """Whether the extension is a package's ``__init__`` (``pkg/__init__.cpython-313-....so``)."""
        return os.path.basename(self.path) in {"__init__" + suffix for suffix in EXTENSION_SUFFIXES}

    def get_code(self, fullname: str) -> None:
        """An extension module has no code object."""
        return None

    def get_source(self, fullname: str) -> None:
        """An extension module has no source."""
        return None

    @_own_name_only
    def get_filename(self, fullname: str) -> str:
        return self.path


# ------------------------------------------------------------------ namespaces
# Code checks isinstance(loader, importlib.machinery.NamespaceLoader) (3.11+), so
# ours derives from it; every method is overridden, none of its code runs.
_NamespaceLoaderBase: type = getattr(importlib.machinery, "NamespaceLoader", object)


class NamespaceLoader(_NamespaceLoaderBase):
    """The loader of a PEP 420 namespace package: nothing to execute."""

    def __init__(self, name: str, path: Any, path_finder: Any) -> None:
        self._path = NamespacePath(name, path, path_finder)

    @classmethod
    def for_path(cls, path: Any) -> NamespaceLoader:
        """A loader around an existing search path (for specs made without one)."""
        loader = cls.__new__(cls)
        loader._path = path
        return loader

    def is_package(self, fullname: str) -> bool:
        return True

    def get_source(self, fullname: str) -> str:
        return ""

    def get_code(self, fullname: str) -> CodeType:
        return compile("", "<string>", "exec", dont_inherit=True)

    def create_module(self, spec: ModuleSpec) -> None:
        """None: a namespace package is a plain module object, made by the engine."""

    def exec_module(self, module: ModuleType) -> None:
        pass

    def load_module(self, fullname: str) -> ModuleType:
        """Deprecated: use exec_module()."""
        return load_module_shim(self, fullname)

    def get_resource_reader(self, module: Any) -> Any:
        from importlib.readers import NamespaceReader

        return NamespaceReader(self._path)


drop_load_module(FileLoader, NamespaceLoader)


# ------------------------------------------------------------------ choosing
_POPULATE = object()


def spec_from_file_location(
    name: str,
    location: str | os.PathLike[str] | None = None,
    *,
    loader: Any = None,
    submodule_search_locations: Any = _POPULATE,
) -> ModuleSpec | None:
    """Return a spec for a module stored at *location* (a file or file-like path).

    Without a loader, one is chosen by the file's suffix (None when none
    fits).  Without *submodule_search_locations*, the loader's is_package()
    decides; a package's search locations are then the file's folder.  The
    location is not checked on disk: it may be inside an archive or a store.
    """
    origin = _origin(name, location, loader)
    if loader is None:
        loader = file_loader_for(name, origin)
        if loader is None:
            return None
    spec = ModuleSpec(name, loader, origin=origin)
    spec._set_fileattr = True  # type: ignore[attr-defined]  # the stdlib's flag: has_location
    if submodule_search_locations is _POPULATE:
        submodule_search_locations = [] if declares_package(loader, name) else None
    # an empty list (the caller's own, filled in place as the stdlib does) means "the file's folder"
    if submodule_search_locations == [] and origin:
        submodule_search_locations.append(origin.rpartition(os.sep)[0])
    spec.submodule_search_locations = submodule_search_locations
    return spec


def _origin(name: str, location: str | os.PathLike[str] | None, loader: Any) -> Any:
    """The spec's origin: *location* made absolute, else the loader's file, else '<unknown>'."""
    if location is not None:
        path = os.fspath(location)
        try:
            return _absolute(path)
        except OSError:
            return path  # the working directory is gone: keep it relative
    try:
        return loader.get_filename(name) if hasattr(loader, "get_filename") else "<unknown>"
    except ImportError:
        return "<unknown>"


def _absolute(path: str) -> str:
    """Anchor a relative location at the working directory, as CPython does."""
    if os.path.isabs(path):
        return path
    if sys.version_info >= (3, 12) and path.startswith("." + os.sep):
        path = path[2:]
    return os.path.join(os.getcwd(), path)


def supported_file_loaders() -> list[tuple[type, list[str]]]:
    """(loader class, suffixes) in the order a folder is searched."""
    return [
        (ExtensionFileLoader, list(EXTENSION_SUFFIXES)),
        (SourceFileLoader, SOURCE_SUFFIXES),
        (SourcelessFileLoader, BYTECODE_SUFFIXES),
    ]


def file_loader_for(name: str, location: str) -> Any:
    """The loader for a file, chosen by its suffix; None when none fits."""
    for loader_class, suffixes in supported_file_loaders():
        if location.endswith(tuple(suffixes)):
            return loader_class(name, location)
    return None


# importlib.abc.Loader lives in the light importlib._abc; registering there keeps
# isinstance(loader, importlib.abc.Loader) true without importing importlib.abc
# (importworks.abc registers the finer ABCs when it is imported).
from importlib._abc import Loader as _LoaderABC  # noqa: E402

for _cls in (SourceFileLoader, SourcelessFileLoader, ExtensionFileLoader, NamespaceLoader):
    _LoaderABC.register(_cls)


# ------------------------------------------------------------------ before 3.12
if sys.version_info < (3, 12):
    import warnings  # warned with stacklevel=1, as by CPython's import system: at its own line

    def _namespace_module_repr(module: ModuleType) -> str:
        warnings.warn(
            "NamespaceLoader.module_repr() is deprecated and slated for removal in Python 3.12",
            DeprecationWarning,
            stacklevel=1,
        )
        return f"<module {module.__name__!r} (namespace)>"

    NamespaceLoader.module_repr = staticmethod(_namespace_module_repr)


# spec.py, below this layer, makes file specs and namespace loaders with these
use_file_loaders(spec_from_file_location, NamespaceLoader.for_path)
