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

from ..errors import (
    ERR_LOADER_NONE,
    ERR_LOADER_NOT_SET,
    ERR_NAMESPACE_NO_LOADER,
    ERR_NO_PACKAGE,
    ERR_NO_PATH_ON_PARENT,
    ERR_NOT_A_MODULE,
    ERR_NOT_IN_SYS_MODULES,
    ERR_PACKAGE_REQUIRED,
    ERR_PARENT_NOT_IN_SYS_MODULES,
    ERR_SPEC_NO_LOADER,
    ERR_SPEC_NOT_FOUND,
)
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
    level, rest = _split_relative(name)
    if level and not package:
        raise TypeError(ERR_PACKAGE_REQUIRED.format(name=name))
    try:
        return gcd_import(rest, package, level)
    except BaseException as exc:
        # the same exception, its engine frames dropped: "from" would make it its own cause
        raise strip_engine_frames(exc)  # noqa: B904


def resolve_name(name: str, package: str | None) -> str:
    """Turn a relative module name into an absolute one."""
    level, rest = _split_relative(name)
    if not level:
        return name
    if not package:
        raise ImportError(ERR_NO_PACKAGE.format(name=name))
    return _resolve_relative(rest, package, level)


def _split_relative(name: str) -> tuple[int, str]:
    """A name's level and the rest: '..pkg.mod' -> (2, 'pkg.mod'), 'os' -> (0, 'os')."""
    rest = name.lstrip(".")
    return len(name) - len(rest), rest


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
                raise ModuleNotFoundError(ERR_NO_PATH_ON_PARENT.format(parent=parent, name=name), name=name)
    return find_spec_on_meta_path(name, path)


def invalidate_caches() -> None:
    """Tell every finder on sys.meta_path to forget what it cached."""
    for finder in sys.meta_path:
        if hasattr(finder, "invalidate_caches"):
            finder.invalidate_caches()


def importlib_reload(module: ModuleType) -> ModuleType:
    """Find *module* again and execute it in place, as importlib.reload does; return what sys.modules then holds.

    A module that reloads itself from its own body gets itself back rather
    than a second, nested reload.
    """
    name = _reload_name(module)
    if sys.modules.get(name) is not module:
        raise ImportError(ERR_NOT_IN_SYS_MODULES.format(name=name), name=name)
    if name in _reloading:
        return _reloading[name]  # reloaded from its own body
    _reloading[name] = module
    try:
        exec_in_place(_find_again(name, module), module)
    finally:
        _reloading.pop(name, None)
    return sys.modules[name]  # the body may have replaced the module


def _find_again(name: str, module: ModuleType) -> ModuleSpec:
    """The finders' spec for *name* now, stored as the module's (None too); the module is their target.

    A finder may reuse what the module already has (its loader, its store).
    """
    spec = module.__spec__ = find_spec_on_meta_path(name, _parent_path(name), module)
    if spec is None:
        raise ModuleNotFoundError(ERR_SPEC_NOT_FOUND.format(name=name), name=name)
    return spec


def _reload_name(module: Any) -> str:
    """The name a module is reloaded under: its spec's (which survives a renamed __name__), else __name__."""
    spec = getattr(module, "__spec__", None)
    if spec is not None and hasattr(spec, "name"):
        return spec.name
    try:
        return module.__name__
    except AttributeError:
        raise TypeError(ERR_NOT_A_MODULE) from None


def _parent_path(name: str) -> Any:
    """The __path__ a reload searches: the parent package's (it must be imported); None at the top level."""
    parent_name = name.rpartition(".")[0]
    if not parent_name:
        return None
    try:
        parent = sys.modules[parent_name]
    except KeyError:
        raise ImportError(ERR_PARENT_NOT_IN_SYS_MODULES.format(parent=parent_name), name=parent_name) from None
    return parent.__path__


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
            return _loader_of_imported(name, sys.modules[name])
        spec = find_spec_on_meta_path(name, path)
        return None if spec is None else _loader_of(name, spec)

    def _loader_of_imported(name: str, module: Any) -> Any:
        loader = getattr(module, "__loader__", _ABSENT)
        if loader is _ABSENT:
            raise ValueError(ERR_LOADER_NOT_SET.format(name=name))
        if loader is None:
            raise ValueError(ERR_LOADER_NONE.format(name=name))
        return loader

    def _loader_of(name: str, spec: ModuleSpec) -> Any:
        """The loader of a found spec; a namespace package (no loader) is an ImportError."""
        if spec.loader is not None:
            return spec.loader
        if spec.submodule_search_locations is None:
            raise ImportError(ERR_SPEC_NO_LOADER.format(name=name), name=name)
        raise ImportError(ERR_NAMESPACE_NO_LOADER, name=name)

    _ABSENT = object()

    __all__.append("find_loader")
