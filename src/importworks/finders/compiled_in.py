"""Modules compiled into the interpreter: built-in and frozen ones.

Both are found and created through the interpreter's own ``_imp`` primitives;
their exec_module functions live in the engine's file (see
``_importlib_bootstrap``), so warnings at initialisation land where CPython
puts them.
"""

from __future__ import annotations

import _imp
import os
import sys
from collections.abc import Callable
from types import CodeType, ModuleType, SimpleNamespace
from typing import Any

from ..engine._importlib_bootstrap import (
    create_builtin_module,
    drop_load_module,
    exec_builtin_module,
    exec_frozen_module,
    load_module_shim,
)
from ..errors import ERR_NOT_COMPILED_IN
from ..spec import ModuleSpec, spec_from_loader

__all__ = ["BuiltinImporter", "FrozenImporter"]


def _requires(test: Callable[[str], object], what: str) -> Callable[..., Any]:
    def decorate(method: Callable[..., Any]) -> Callable[..., Any]:
        def checked(self: Any, fullname: str) -> Any:
            if not test(fullname):
                raise ImportError(ERR_NOT_COMPILED_IN.format(name=fullname, kind=what), name=fullname)
            return method(self, fullname)

        checked.__name__ = method.__name__
        checked.__qualname__ = method.__qualname__
        checked.__doc__ = method.__doc__
        return checked

    return decorate


class BuiltinImporter:
    """Find and load modules compiled into the interpreter."""

    _ORIGIN = "built-in"

    @classmethod
    def find_spec(cls, fullname: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        if path is not None and sys.version_info < (3, 11):
            return None
        if _imp.is_builtin(fullname):
            return spec_from_loader(fullname, cls, origin=cls._ORIGIN)
        return None

    create_module = staticmethod(create_builtin_module)
    exec_module = staticmethod(exec_builtin_module)

    @classmethod
    @_requires(_imp.is_builtin, "built-in")
    def get_code(cls, fullname: str) -> None:
        """Built-in modules have no code object."""
        return None

    @classmethod
    @_requires(_imp.is_builtin, "built-in")
    def get_source(cls, fullname: str) -> None:
        """Built-in modules have no source."""
        return None

    @classmethod
    @_requires(_imp.is_builtin, "built-in")
    def is_package(cls, fullname: str) -> bool:
        """Built-in modules are never packages."""
        return False

    @classmethod
    def load_module(cls, fullname: str) -> ModuleType:
        """Deprecated: use exec_module()."""
        return load_module_shim(cls, fullname)


def _is_frozen(fullname: str) -> bool:
    return _imp.is_frozen(fullname)


class FrozenImporter:
    """Find and load modules frozen into the interpreter (most of its start-up)."""

    _ORIGIN = "frozen"

    @classmethod
    def find_spec(cls, fullname: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        """The spec of a frozen module; from 3.11 it also names the source the code was frozen from."""
        if not _KNOWS_FROZEN_SOURCES:
            return spec_from_loader(fullname, cls, origin=cls._ORIGIN) if _imp.is_frozen(fullname) else None
        found = _imp.find_frozen(fullname)  # type: ignore[attr-defined]  # 3.11+, see _KNOWS_FROZEN_SOURCES
        if found is None:
            return None
        _, ispkg, origname = found
        return _frozen_spec(cls, fullname, ispkg, origname)

    @staticmethod
    def create_module(spec: ModuleSpec) -> ModuleType | None:
        """A module whose __file__ is its frozen source's, when find_spec() knew it."""
        if not _KNOWS_FROZEN_SOURCES:
            return None  # the default module, without __file__
        module = ModuleType(spec.name)
        filename = getattr(spec.loader_state, "filename", None)
        if filename:
            module.__file__ = filename
        return module

    exec_module = staticmethod(exec_frozen_module)

    @classmethod
    @_requires(_is_frozen, "frozen")
    def get_code(cls, fullname: str) -> CodeType:
        return _imp.get_frozen_object(fullname)

    @classmethod
    @_requires(_is_frozen, "frozen")
    def get_source(cls, fullname: str) -> None:
        """Frozen modules carry no source."""
        return None

    @classmethod
    @_requires(_is_frozen, "frozen")
    def is_package(cls, fullname: str) -> bool:
        return _imp.is_frozen_package(fullname)

    @classmethod
    def load_module(cls, fullname: str) -> ModuleType:
        """Deprecated: use exec_module()."""
        # the finder's spec carries __file__ and the package folder
        spec = cls.find_spec(fullname) if hasattr(_imp, "find_frozen") else None
        return load_module_shim(cls, fullname, spec)


drop_load_module(BuiltinImporter, FrozenImporter)


# 3.11+: _imp.find_frozen tells a frozen module's package-ness and origin name
_KNOWS_FROZEN_SOURCES = hasattr(_imp, "find_frozen")


def _frozen_spec(loader: type[FrozenImporter], fullname: str, ispkg: bool, origname: str | None) -> ModuleSpec:
    spec = ModuleSpec(fullname, loader, origin=loader._ORIGIN, is_package=ispkg)  # type: ignore[arg-type]  # the class is the loader
    filename, folder = _frozen_filename(origname, fullname, ispkg)
    # for create_module(), under the stdlib's names, which tools read from the spec
    spec.loader_state = SimpleNamespace(filename=filename, origname=origname)
    if folder:  # a frozen package searches its source folder first, for submodules not frozen
        spec.submodule_search_locations.insert(0, folder)  # type: ignore[union-attr]
    return spec


def _frozen_filename(origname: str | None, fullname: str, ispkg: bool) -> tuple[str | None, str | None]:
    """Where the source of a frozen stdlib module would be (its ``__file__``), and its folder if a package."""
    stdlib = getattr(sys, "_stdlib_dir", None)
    if not origname or not stdlib:
        return None, None
    source, is_init = _frozen_from(origname, fullname, ispkg)
    base = os.path.join(stdlib, *source.split("."))
    if is_init:
        return os.path.join(base, "__init__.py"), base
    return base + ".py", None


def _frozen_from(origname: str, fullname: str, ispkg: bool) -> tuple[str, bool]:
    """(the module a frozen one was built from, whether its file is a package's __init__).

    The freezer records the origin under another name for aliases
    ('__phello_alias__' built from '__hello__': a plain module) and as
    '<pkg' for a module built from package pkg's __init__.
    """
    if origname == fullname:
        return origname, ispkg
    if origname.startswith("<"):
        package = origname[1:]
        return (package, True) if ispkg else (package + ".__init__", False)
    return origname, False


# isinstance(importer, importlib.abc.Loader), without importing importlib.abc
# (importworks.abc registers the finer ABCs when it is imported)
from importlib._abc import Loader as _LoaderABC  # noqa: E402

for _cls in (BuiltinImporter, FrozenImporter):
    _LoaderABC.register(_cls)


# ------------------------------------------------------------------ before 3.12
if sys.version_info < (3, 12):
    import warnings  # warned with stacklevel=1, as by CPython's import system: at its own line

    _SLATED = "slated for removal in Python 3.12"

    def _builtin_find_module(cls: Any, fullname: str, path: Any = None) -> Any:
        warnings.warn(
            f"BuiltinImporter.find_module() is deprecated and {_SLATED}; use find_spec() instead",
            DeprecationWarning,
            stacklevel=1,
        )
        spec = cls.find_spec(fullname, path)
        return spec.loader if spec is not None else None

    def _frozen_find_module(cls: Any, fullname: str, path: Any = None) -> Any:
        warnings.warn(
            f"FrozenImporter.find_module() is deprecated and {_SLATED}; use find_spec() instead",
            DeprecationWarning,
            stacklevel=1,
        )
        return cls if _imp.is_frozen(fullname) else None

    def _repr_for(kind: str, origin: str) -> Any:
        def module_repr(module: ModuleType) -> str:
            warnings.warn(f"{kind}.module_repr() is deprecated and {_SLATED}", DeprecationWarning, stacklevel=1)
            return f"<module {module.__name__!r} ({origin})>"

        return staticmethod(module_repr)

    BuiltinImporter.find_module = classmethod(_builtin_find_module)  # type: ignore[attr-defined]
    FrozenImporter.find_module = classmethod(_frozen_find_module)  # type: ignore[attr-defined]
    BuiltinImporter.module_repr = _repr_for("BuiltinImporter", "built-in")  # type: ignore[attr-defined]
    FrozenImporter.module_repr = _repr_for("FrozenImporter", "frozen")  # type: ignore[attr-defined]
