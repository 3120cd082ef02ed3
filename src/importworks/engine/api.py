"""The functions people call: import_module, find_spec, invalidate_caches, resolve_name.

They mirror :mod:`importlib`'s own, on top of our engine.  :func:`importlib_reload`
is importlib.reload's semantics (find the module again, run its body again in
place); ``importworks.reload``, the live reload users get, falls back on it for
modules it has nothing to patch in (built-in, extension, spec-less).
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

from ..errors import ERR_NOT_A_MODULE, ERR_NOT_IN_SYS_MODULES, ERR_PARENT_NOT_IN_SYS_MODULES, ERR_SPEC_NOT_FOUND
from ..spec import ModuleSpec
from ._importlib_bootstrap import (
    exec_in_place,
    find_spec_on_meta_path,
    gcd_import,
)
from ._importlib_bootstrap import (
    resolve_name as _resolve_relative,
)
from .tracebacks import strip_engine_frames

__all__ = ["find_spec", "import_module", "importlib_reload", "invalidate_caches", "resolve_name"]

_reloading: dict[str, ModuleType] = {}


def import_module(name: str, package: str | None = None) -> ModuleType:
    """Import a module by name; *package* anchors a relative name like ``'.sub'``."""
    level = 0
    if name.startswith("."):
        if not package:
            raise TypeError(f"the 'package' argument is required to perform a relative import for {name!r}")
        level = len(name) - len(name.lstrip("."))
    try:
        return gcd_import(name[level:], package, level)
    except BaseException as exc:
        raise strip_engine_frames(exc)


def resolve_name(name: str, package: str | None) -> str:
    """Turn a relative module name into an absolute one."""
    if not name.startswith("."):
        return name
    if not package:
        raise ImportError(f"no package specified for {name!r} (required for relative module names)")
    level = len(name) - len(name.lstrip("."))
    return _resolve_relative(name[level:], package, level)


def find_spec(name: str, path: Any = None) -> ModuleSpec | None:
    """Ask sys.meta_path for *name*'s spec without importing it.

    With *path* None, a dotted name is searched in its parent's ``__path__``
    (the parent is imported); pass *path* to search elsewhere.
    """
    if path is None:
        parent = name.rpartition(".")[0]
        if parent:
            path = getattr(import_module(parent), "__path__", None)
            if path is None:
                raise ModuleNotFoundError(
                    f"__path__ attribute not found on {parent!r} while trying to find {name!r}", name=name
                )
    return find_spec_on_meta_path(name, path)


def invalidate_caches() -> None:
    """Tell every finder on sys.meta_path to forget what it cached."""
    for finder in sys.meta_path:
        if hasattr(finder, "invalidate_caches"):
            finder.invalidate_caches()


def importlib_reload(module: ModuleType) -> ModuleType:
    """Re-find and re-execute *module* in place, as importlib.reload does; return the module."""
    try:
        name = module.__spec__.name
    except AttributeError:
        try:
            name = module.__name__
        except AttributeError:
            raise TypeError(ERR_NOT_A_MODULE) from None
    if sys.modules.get(name) is not module:
        raise ImportError(ERR_NOT_IN_SYS_MODULES.format(name=name), name=name)
    if name in _reloading:
        return _reloading[name]  # a module that reloads itself while reloading
    _reloading[name] = module
    try:
        parent_name = name.rpartition(".")[0]
        path = None
        if parent_name:
            try:
                path = sys.modules[parent_name].__path__
            except KeyError:
                raise ImportError(ERR_PARENT_NOT_IN_SYS_MODULES.format(parent=parent_name), name=parent_name) from None
        spec = module.__spec__ = find_spec_on_meta_path(name, path, module)
        if spec is None:
            raise ModuleNotFoundError(ERR_SPEC_NOT_FOUND.format(name=name), name=name)
        exec_in_place(spec, module)
        return sys.modules[name]  # the module may have replaced itself
    finally:
        _reloading.pop(name, None)


if sys.version_info < (3, 12):
    import warnings

    def find_loader(name: str, path: Any = None) -> Any:
        """Deprecated (removed in Python 3.12): the loader of *name*, or None."""
        warnings.warn(
            "Deprecated since Python 3.4 and slated for removal in Python 3.12; use importlib.util.find_spec() instead",
            DeprecationWarning,
            stacklevel=2,
        )
        if name in sys.modules:
            try:
                loader = sys.modules[name].__loader__
            except AttributeError:
                raise ValueError(f"{name}.__loader__ is not set") from None
            if loader is None:
                raise ValueError(f"{name}.__loader__ is None")
            return loader
        spec = find_spec_on_meta_path(name, path)
        if spec is None:
            return None
        if spec.loader is None:
            if spec.submodule_search_locations is None:
                raise ImportError(f"spec for {name} missing loader", name=name)
            raise ImportError("namespace packages do not have loaders", name=name)
        return spec.loader

    __all__.append("find_loader")
