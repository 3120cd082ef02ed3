"""Our helpers under the names of :mod:`importlib.util`."""

from __future__ import annotations

import sys
from importlib._abc import Loader  # the stdlib's ABC, as importlib.util re-exports it
from typing import Any

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
    from ._legacy import module_for_loader, set_loader, set_package  # noqa: F401

    __all__ += ["module_for_loader", "set_loader", "set_package"]


def find_spec(name: str, package: str | None = None) -> ModuleSpec | None:
    """The spec of *name*: from sys.modules if imported, else from the finders.

    A dotted name's parent is imported so that its ``__path__`` can be searched.
    """
    fullname = resolve_name(name, package) if name.startswith(".") else name
    if fullname not in sys.modules:
        parent_name = fullname.rpartition(".")[0]
        parent_path: Any = None
        if parent_name:
            parent = __import__(parent_name, fromlist=["__path__"])
            try:
                parent_path = parent.__path__
            except AttributeError as exc:
                raise ModuleNotFoundError(
                    f"__path__ attribute not found on {parent_name!r} while trying to find {fullname!r}", name=fullname
                ) from exc
        return find_spec_on_meta_path(fullname, parent_path)
    module = sys.modules[fullname]
    if module is None:
        return None
    try:
        spec = module.__spec__
    except AttributeError:
        raise ValueError(f"{name}.__spec__ is not set") from None
    if spec is None:
        raise ValueError(f"{name}.__spec__ is None")
    return spec
