"""Module specs: making them, and making modules from them.

The spec type itself is the stdlib's :class:`importlib.machinery.ModuleSpec`, the
data type every tool already expects; this module holds our own constructors.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

from .errors import ERR_NO_CREATE_MODULE

__all__ = [
    "ModuleSpec",
    "declares_package",
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
_file_location_spec: Callable[..., ModuleSpec | None] | None = None
_namespace_loader_for: Callable[[Any], Any] | None = None


def use_file_loaders(
    file_location_spec: Callable[..., ModuleSpec | None], namespace_loader_for: Callable[[Any], Any]
) -> None:
    """Make file specs with *file_location_spec* and namespace loaders with ``namespace_loader_for(path)``."""
    global _file_location_spec, _namespace_loader_for
    _file_location_spec, _namespace_loader_for = file_location_spec, namespace_loader_for


def object_name(obj: Any) -> str:
    """Name an object in a warning the way CPython does."""
    try:
        return obj.__qualname__
    except AttributeError:
        return type(obj).__qualname__


def declares_package(loader: Any, fullname: str) -> bool:
    """What *loader*.is_package(*fullname*) says; False when it has none or cannot tell (ImportError)."""
    is_package = getattr(loader, "is_package", None)
    if is_package is None:
        return False
    try:
        return bool(is_package(fullname))
    except ImportError:
        return False


def spec_from_loader(
    name: str, loader: Any, *, origin: str | None = None, is_package: bool | None = None
) -> ModuleSpec | None:  # None, as importlib's: a file loader that cannot say where its file is
    """Return a spec for *name* built from what *loader* can tell.

    A loader that names a file (get_filename) gets a file spec, with __file__;
    one without gets its ``_ORIGIN`` (the stdlib's attribute for 'built-in'
    and 'frozen', which compiled-in loaders in the wild also set) as origin.
    """
    if origin is None:
        origin = getattr(loader, "_ORIGIN", None)
    if not origin and hasattr(loader, "get_filename"):
        assert _file_location_spec is not None, "importworks.finders.loaders registers it on import"
        if is_package is None:
            return _file_location_spec(name, loader=loader)
        search: list[str] | None = [] if is_package else None
        return _file_location_spec(name, loader=loader, submodule_search_locations=search)
    if is_package is None:
        is_package = declares_package(loader, name)
    return ModuleSpec(name, loader, origin=origin, is_package=is_package)


def init_module_attrs(spec: ModuleSpec, module: ModuleType, *, override: bool = False) -> ModuleType:
    """Set the import-related attributes of *module* from *spec* (see _MODULE_ATTRIBUTES).

    Each is set when *override* says so, or when the module has none (None
    counts as none); ``__spec__`` always is.  Modules that refuse attribute
    assignment are left as they are, as in CPython.
    """
    for attribute, applies, value_of, always in _MODULE_ATTRIBUTES:
        if applies(spec) and (always or override or getattr(module, attribute, None) is None):
            try:
                setattr(module, attribute, value_of(spec, module))
            except AttributeError:
                pass
    return module


def _loader_for_module(spec: ModuleSpec, module: ModuleType) -> Any:
    """The spec's loader; a namespace package's, which has none, gets its loader made now (and no __file__)."""
    if spec.loader is None and spec.submodule_search_locations is not None:
        assert _namespace_loader_for is not None, "importworks.finders.loaders registers it on import"
        spec.loader = _namespace_loader_for(spec.submodule_search_locations)
        module.__file__ = None  # like its spec: a namespace package has no file
    return spec.loader


def _always(spec: ModuleSpec) -> bool:
    return True


# (attribute, whether the spec gives the module one, its value, set even over a
# value the module has); in this order, which is the order of the module's dict
_MODULE_ATTRIBUTES: tuple[
    tuple[str, Callable[[ModuleSpec], bool], Callable[[ModuleSpec, ModuleType], Any], bool], ...
] = (
    ("__name__", _always, lambda spec, module: spec.name, False),
    ("__loader__", _always, _loader_for_module, False),
    ("__package__", _always, lambda spec, module: spec.parent, False),
    ("__spec__", _always, lambda spec, module: spec, True),
    (
        "__path__",
        lambda spec: spec.submodule_search_locations is not None,
        lambda spec, module: spec.submodule_search_locations,
        False,
    ),
    ("__file__", lambda spec: spec.has_location, lambda spec, module: spec.origin, False),
    # 3.15 no longer sets __cached__ (spec.cached stays)
    (
        "__cached__",
        lambda spec: not _NO_CACHED_ATTRIBUTE and spec.has_location and spec.cached is not None,
        lambda spec, module: spec.cached,
        False,
    ),
)


def module_from_spec(spec: ModuleSpec) -> ModuleType:
    """Create the module *spec* describes, with its import attributes set; nothing is executed.

    The loader's create_module() makes it, or a plain module when it returns
    None.  A loader with exec_module() but no create_module() is refused
    (PEP 451 asks for both).
    """
    loader = spec.loader
    create: Any = getattr(loader, "create_module", _ABSENT)
    if create is _ABSENT and hasattr(loader, "exec_module"):
        raise ImportError(ERR_NO_CREATE_MODULE)
    # create(spec) is called from this frame itself: create_extension_module
    # (the engine) tells the import system's own calls apart by this function's code
    module = None if create is _ABSENT else create(spec)
    return init_module_attrs(spec, ModuleType(spec.name) if module is None else module)


_ABSENT = object()


def module_repr(module: ModuleType) -> str:
    """The repr CPython gives *module*: from its spec, else from its __file__ or __loader__."""
    loader = getattr(module, "__loader__", None)
    spec = getattr(module, "__spec__", None)
    if spec:
        return _repr_from_spec(spec)
    if sys.version_info < (3, 12) and hasattr(loader, "module_repr"):
        try:
            return loader.module_repr(module)  # type: ignore[union-attr]
        except Exception:
            pass  # a failing module_repr() gets the generic repr, as in 3.10 and 3.11
    return f"<module {getattr(module, '__name__', '?')!r}{_whence(module, loader)}>"


def _whence(module: ModuleType, loader: Any) -> str:
    """What follows the name in a spec-less module's repr: its file, else its loader, else nothing."""
    try:
        return f" from {module.__file__!r}"
    except AttributeError:
        return "" if loader is None else f" ({loader!r})"


def _repr_from_spec(spec: ModuleSpec) -> str:
    name = "?" if spec.name is None else spec.name
    if spec.origin is None:
        return f"<module {name!r}{_loader_whence(spec.loader)}>"
    if spec.has_location:
        return f"<module {name!r} from {spec.origin!r}>"
    return f"<module {spec.name!r} ({spec.origin})>"  # 'built-in', 'frozen'; spec.name as is, as CPython shows it


def _loader_whence(loader: Any) -> str:
    if loader is None:
        return ""
    path = getattr(loader, "_path", None)
    # 3.12+ lists a namespace package's portions (the loader's _path, the stdlib's name)
    if sys.version_info >= (3, 12) and path is not None and type(loader).__name__ == "NamespaceLoader":
        return f" (namespace) from {list(path)}"
    return f" ({loader!r})"
