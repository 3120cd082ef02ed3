"""Module specs: making them, and making modules from them.

The spec type itself is the stdlib's :class:`importlib.machinery.ModuleSpec`, the
data type every tool already expects; this module holds our own constructors.
"""

from __future__ import annotations

import sys
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any, Callable

from .errors import ERR_NO_CREATE_MODULE

__all__ = [
    "ModuleSpec",
    "init_module_attrs",
    "module_repr",
    "module_from_spec",
    "object_name",
    "spec_from_loader",
    "use_file_loaders",
]

# Python 3.15 stopped setting __cached__ on modules (spec.cached stays)
_NO_CACHED_ATTRIBUTE = sys.version_info >= (3, 15)

# Two things only the file loaders know how to make: specs of modules in files,
# and the loader of a namespace package.  They live in the finders layer, above
# this module, which may not import it: importworks.finders.loaders hands them
# over with use_file_loaders() when it is imported (``import importworks`` does).
_file_location_spec: Callable[..., ModuleSpec] | None = None
_namespace_loader_for: Callable[[Any], Any] | None = None


def use_file_loaders(file_location_spec: Callable[..., ModuleSpec], namespace_loader_for: Callable[[Any], Any]) -> None:
    """Make file specs with *file_location_spec* and namespace loaders with ``namespace_loader_for(path)``."""
    global _file_location_spec, _namespace_loader_for
    _file_location_spec, _namespace_loader_for = file_location_spec, namespace_loader_for


def object_name(obj: Any) -> str:
    """Name an object in a warning the way CPython does."""
    try:
        return obj.__qualname__
    except AttributeError:
        return type(obj).__qualname__


def spec_from_loader(
    name: str, loader: Any, *, origin: str | None = None, is_package: bool | None = None
) -> ModuleSpec:
    """Return a spec for *name* built from what *loader* can tell."""
    if origin is None:
        origin = getattr(loader, "_ORIGIN", None)
    if not origin and hasattr(loader, "get_filename"):
        assert _file_location_spec is not None, "importworks.finders.loaders registers it on import"
        if is_package is None:
            return _file_location_spec(name, loader=loader)
        search: list[str] | None = [] if is_package else None
        return _file_location_spec(name, loader=loader, submodule_search_locations=search)
    if is_package is None:
        is_package = False
        if hasattr(loader, "is_package"):
            try:
                is_package = loader.is_package(name)
            except ImportError:
                is_package = None  # undefined: ModuleSpec leaves search locations unset
    return ModuleSpec(name, loader, origin=origin, is_package=bool(is_package))


def init_module_attrs(spec: ModuleSpec, module: ModuleType, *, override: bool = False) -> ModuleType:
    """Set the import-related attributes of *module* from *spec*.

    Modules that refuse attribute assignment are left as they are, as in CPython.
    """

    def fill(attr: str, value: Any) -> None:
        if override or getattr(module, attr, None) is None:
            try:
                setattr(module, attr, value)
            except AttributeError:
                pass

    fill("__name__", spec.name)
    if override or getattr(module, "__loader__", None) is None:
        loader = spec.loader
        if loader is None and spec.submodule_search_locations is not None:
            assert _namespace_loader_for is not None, "importworks.finders.loaders registers it on import"
            loader = _namespace_loader_for(spec.submodule_search_locations)
            spec.loader = loader
            module.__file__ = None  # a namespace package has no file, like its spec
        try:
            module.__loader__ = loader
        except AttributeError:
            pass
    fill("__package__", spec.parent)
    try:
        module.__spec__ = spec
    except AttributeError:
        pass
    if spec.submodule_search_locations is not None:
        fill("__path__", spec.submodule_search_locations)
    if spec.has_location:
        fill("__file__", spec.origin)
        if spec.cached is not None and not _NO_CACHED_ATTRIBUTE:
            fill("__cached__", spec.cached)
    return module


def module_from_spec(spec: ModuleSpec) -> ModuleType:
    """Create the module *spec* describes (loader's create_module first)."""
    module = None
    loader = spec.loader
    if hasattr(loader, "create_module"):
        module = loader.create_module(spec)
    elif hasattr(loader, "exec_module"):
        raise ImportError(ERR_NO_CREATE_MODULE)
    if module is None:
        module = ModuleType(spec.name)
    init_module_attrs(spec, module)
    return module


def module_repr(module: ModuleType) -> str:
    """The repr CPython gives *module*, worked out from its spec or attributes."""
    loader = getattr(module, "__loader__", None)
    spec = getattr(module, "__spec__", None)
    if spec:
        return _repr_from_spec(spec)
    if sys.version_info < (3, 12) and hasattr(loader, "module_repr"):
        try:
            return loader.module_repr(module)
        except Exception:
            pass
    name = getattr(module, "__name__", "?")
    try:
        filename = module.__file__
    except AttributeError:
        return f"<module {name!r}>" if loader is None else f"<module {name!r} ({loader!r})>"
    return f"<module {name!r} from {filename!r}>"


def _repr_from_spec(spec: ModuleSpec) -> str:
    name = "?" if spec.name is None else spec.name
    if spec.origin is not None:
        if spec.has_location:
            return f"<module {name!r} from {spec.origin!r}>"
        return f"<module {spec.name!r} ({spec.origin})>"
    loader = spec.loader
    if loader is None:
        return f"<module {name!r}>"
    path = getattr(loader, "_path", None)
    if sys.version_info >= (3, 12) and path is not None and type(loader).__name__ == "NamespaceLoader":
        return f"<module {name!r} (namespace) from {list(path)}>"
    return f"<module {name!r} ({loader!r})>"
