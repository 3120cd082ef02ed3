"""Loaders: turn a spec into an executed module.

* :class:`SourceFileLoader` - ``.py`` files, with the ``__pycache__`` bytecode cache
* :class:`SourcelessFileLoader` - bare ``.pyc`` files
* :class:`ExtensionFileLoader` - C extensions, through the interpreter's ``_imp``
* :class:`NamespaceLoader` - PEP 420 packages, which have nothing to execute

Modules compiled into the interpreter (``BuiltinImporter``, ``FrozenImporter``)
are in :mod:`importworks.finders.compiled_in`.
"""

from __future__ import annotations

import _imp
import importlib.machinery
import io
import os
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from types import CodeType, ModuleType
from typing import Any, Callable

from ..engine._importlib_bootstrap import (
    LoaderBasics,
    create_extension_module,
    drop_load_module,
    exec_extension_module,
    load_module_shim,
)
from ..engine.tracebacks import register_engine_file
from ..spec import ModuleSpec, use_file_loaders
from . import bytecode
from .namespace import NamespacePath

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


def _check_name(method: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse to act for a name other than the loader's own."""

    def checked(self: Any, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        if name is None:
            name = self.name
        elif self.name != name:
            raise ImportError(f"loader for {self.name} cannot handle {name}", name=name)
        return method(self, name, *args, **kwargs)

    checked.__name__ = method.__name__
    checked.__qualname__ = method.__qualname__
    checked.__doc__ = method.__doc__
    return checked


def _file_mode(path: str) -> int:
    """The mode a pyc should get: its source's, plus owner-write."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = 0o666
    return mode | 0o200


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

    def _cache_bytecode(self, source_path: str, cache_path: str, data: bytes) -> None:
        return self.set_data(cache_path, data)

    def set_data(self, path: str, data: bytes) -> None:
        """Write *data* to *path*; the default cannot write."""

    def get_source(self, fullname: str) -> str:
        """The decoded source text of *fullname*."""
        path = self.get_filename(fullname)  # type: ignore[attr-defined]
        try:
            source_bytes = self.get_data(path)  # type: ignore[attr-defined]
        except OSError as exc:
            raise ImportError("source not available through get_data()", name=fullname) from exc
        return bytecode.decode_source(source_bytes)

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
        """The module's code: from a valid cached pyc, else compiled (and cached)."""
        source_path = self.get_filename(fullname)  # type: ignore[attr-defined]
        try:
            cache_path: str | None = bytecode.cache_from_source(source_path)
        except NotImplementedError:
            cache_path = None
        source_mtime = None
        source_bytes = None
        source_hash = None
        hash_based = check_source = False
        if cache_path is not None:
            try:
                stats = self.path_stats(source_path)
            except OSError:
                stats = None
            if stats is not None:
                source_mtime = int(stats["mtime"])
                try:
                    data = self.get_data(cache_path)  # type: ignore[attr-defined]
                except OSError:
                    data = None
                if data is not None:
                    details = {"name": fullname, "path": cache_path}
                    try:
                        flags = bytecode.read_pyc_header(data, fullname, details)
                        hash_based = bool(flags & bytecode.FLAG_HASH_BASED)
                        if hash_based:
                            check_source = bool(flags & bytecode.FLAG_CHECK_SOURCE)
                            mode = _imp.check_hash_based_pycs
                            if mode != "never" and (check_source or mode == "always"):
                                source_bytes = self.get_data(source_path)  # type: ignore[attr-defined]
                                source_hash = bytecode.source_hash(source_bytes)
                                bytecode.validate_hash_pyc(data, source_hash, fullname, details)
                        else:
                            bytecode.validate_timestamp_pyc(data, source_mtime, stats.get("size"), fullname, details)
                    except (ImportError, EOFError):
                        pass
                    else:
                        return bytecode.compile_bytecode(memoryview(data)[16:], fullname, cache_path, source_path)
        if source_bytes is None:
            source_bytes = self.get_data(source_path)  # type: ignore[attr-defined]
        code = self._compile_module(source_bytes, source_path, fullname)
        if not sys.dont_write_bytecode and cache_path is not None and source_mtime is not None:
            if hash_based:
                if source_hash is None:
                    source_hash = bytecode.source_hash(source_bytes)
                pyc = bytecode.code_to_hash_pyc(code, source_hash, check_source)
            else:
                pyc = bytecode.code_to_timestamp_pyc(code, source_mtime, len(source_bytes))
            try:
                self._cache_bytecode(source_path, cache_path, pyc)
            except NotImplementedError:
                pass
        return code


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

    @_check_name
    def load_module(self, fullname: str) -> ModuleType:
        """Deprecated: use exec_module()."""
        return load_module_shim(self, fullname)

    @_check_name
    def get_filename(self, fullname: str) -> str:
        """The path of the file this loader reads."""
        return self.path

    def get_data(self, path: str) -> bytes:
        """The bytes of *path* (code files go through io.open_code, PEP 578)."""
        if isinstance(self, (SourceLoader, ExtensionFileLoader)):
            with io.open_code(str(path)) as f:
                return f.read()
        with io.FileIO(path, "r") as f:
            return f.read()

    @_check_name
    def get_resource_reader(self, module: str) -> Any:
        """The stdlib's reader of a package folder (it only needs our ``path``)."""
        from importlib.readers import FileReader

        return FileReader(self)


# Tools decide whether to take a module over by checking the loader against the
# stdlib's classes: pytest rewrites asserts only for an importlib.machinery
# SourceFileLoader, typeguard instruments only those, pkg_resources and pkgutil
# pick their adapters by class.  So our file loaders derive from the stock ones
# for that check alone: every method is overridden (tests/unit/test_loaders.py
# holds that), none of the stock code runs.
class SourceFileLoader(FileLoader, SourceLoader, importlib.machinery.SourceFileLoader):
    """Load ``.py`` files, caching their bytecode in ``__pycache__``."""

    def path_stats(self, path: str) -> dict[str, Any]:
        st = os.stat(path)
        return {"mtime": st.st_mtime, "size": st.st_size}

    def _cache_bytecode(self, source_path: str, cache_path: str, data: bytes) -> None:
        self.set_data(cache_path, data, _mode=_file_mode(source_path))

    def set_data(self, path: str, data: bytes, *, _mode: int = 0o666) -> None:
        """Write a cache file atomically, creating its folders; fail silently."""
        parent, filename = os.path.split(path)
        missing = []
        while parent and not os.path.isdir(parent):
            parent, part = os.path.split(parent)
            missing.append(part)
        for part in reversed(missing):
            parent = os.path.join(parent, part)
            try:
                os.mkdir(parent)
            except FileExistsError:
                continue
            except OSError:
                return  # read-only or forbidden: run without a cache
        try:
            bytecode.write_atomic(path, data, _mode)
        except OSError:
            pass


class SourcelessFileLoader(FileLoader, LoaderBasics, importlib.machinery.SourcelessFileLoader):
    """Load bare ``.pyc`` files (no source beside them)."""

    def get_code(self, fullname: str) -> CodeType:
        path = self.get_filename(fullname)
        data = self.get_data(path)
        details = {"name": fullname, "path": path}
        bytecode.read_pyc_header(data, fullname, details)
        return bytecode.compile_bytecode(memoryview(data)[16:], fullname, path)

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
        filename = os.path.basename(self.path)
        return any(filename == "__init__" + suffix for suffix in EXTENSION_SUFFIXES)

    def get_code(self, fullname: str) -> None:
        """An extension module has no code object."""
        return None

    def get_source(self, fullname: str) -> None:
        """An extension module has no source."""
        return None

    @_check_name
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
        """Use default semantics for module creation."""

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
    """Return a spec for a module stored at *location* (a file or file-like path)."""
    if location is None:
        location = "<unknown>"
        if hasattr(loader, "get_filename"):
            try:
                location = loader.get_filename(name)
            except ImportError:
                pass
    else:
        location = os.fspath(location)
        try:
            location = _absolute(location)
        except OSError:
            pass
    spec = ModuleSpec(name, loader, origin=location)
    spec._set_fileattr = True
    if loader is None:
        loader = file_loader_for(name, location)
        if loader is None:
            return None
        spec.loader = loader
    if submodule_search_locations is _POPULATE:
        if hasattr(loader, "is_package"):
            try:
                if loader.is_package(name):
                    spec.submodule_search_locations = []
            except ImportError:
                pass
    else:
        spec.submodule_search_locations = submodule_search_locations
    if spec.submodule_search_locations == [] and location:
        spec.submodule_search_locations.append(location.rpartition(os.sep)[0])
    return spec


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
    import warnings

    def _namespace_module_repr(module: ModuleType) -> str:
        warnings.warn(
            "NamespaceLoader.module_repr() is deprecated and slated for removal in Python 3.12", DeprecationWarning
        )
        return f"<module {module.__name__!r} (namespace)>"

    NamespaceLoader.module_repr = staticmethod(_namespace_module_repr)  # type: ignore[attr-defined]


# spec.py, below this layer, makes file specs and namespace loaders with these
use_file_loaders(spec_from_file_location, NamespaceLoader.for_path)
