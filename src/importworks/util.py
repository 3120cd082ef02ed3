"""Our helpers under the names of :mod:`importlib.util`."""

from __future__ import annotations

import sys
from importlib._abc import Loader  # the stdlib's ABC, as importlib.util re-exports it
from typing import Any

from . import errors as _errors
from ._lazy_loader import LazyLoader
from .engine._importlib_bootstrap import find_spec_on_meta_path
from .engine.api import resolve_name
from .finders.bytecode import MAGIC_NUMBER, cache_from_source, decode_source, source_from_cache, source_hash
from .finders.loaders import spec_from_file_location
from .spec import ModuleSpec, module_from_spec, spec_from_loader

__all__ = [
    "LazyLoader",
    "Loader",
    "MAGIC_NUMBER",
    "cache_from_source",
    "decode_source",
    "find_spec",
    "module_from_spec",
    "resolve_name",
    "source_from_cache",
    "source_hash",
    "spec_from_file_location",
    "spec_from_loader",
]

if sys.version_info < (3, 12):
    from ._legacy import module_for_loader, set_loader, set_package

    __all__ += ["module_for_loader", "set_loader", "set_package"]


def find_spec(name: str, package: str | None = None) -> ModuleSpec | None:
    """The spec of *name* (relative to *package* when it starts with a dot), or None.

    An imported module answers with its ``__spec__``; otherwise the finders
    are asked, with the parent package imported first to search its __path__.
    """
    fullname = resolve_name(name, package) if name.startswith(".") else name
    try:
        module = sys.modules[fullname]
    except KeyError:
        return find_spec_on_meta_path(fullname, _parent_path(fullname))
    return _spec_of_imported(name, module)


def _parent_path(fullname: str) -> Any:
    """The __path__ to search for *fullname*: its parent's (imported now); None at the top level."""
    parent_name = fullname.rpartition(".")[0]
    if not parent_name:
        return None
    parent = __import__(parent_name, fromlist=["__path__"])
    try:
        return parent.__path__
    except AttributeError as exc:
        raise ModuleNotFoundError(
            f"__path__ attribute not found on {parent_name!r} while trying to find {fullname!r}", name=fullname
        ) from exc


def _spec_of_imported(name: str, module: Any) -> ModuleSpec | None:
    """An imported module's spec; None for a blocked name (``sys.modules[name] = None``).

    A module without one is a ValueError: nothing could be found for it
    without importing it a second time.
    """
    if module is None:
        return None
    spec: Any = getattr(module, "__spec__", _NO_SPEC)
    if spec is _NO_SPEC:
        raise ValueError(_errors.ERR_SPEC_NOT_SET.format(name=name))
    if spec is None:
        raise ValueError(_errors.ERR_SPEC_NONE.format(name=name))
    return spec  # a module's __spec__ is whatever was set


_NO_SPEC = object()
