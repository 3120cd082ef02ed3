"""Our finders and loaders under the names of :mod:`importlib.machinery`."""

from __future__ import annotations

import importlib.machinery as _stock
import sys
import warnings
from typing import Any

from .finders.compiled_in import BuiltinImporter, FrozenImporter
from .finders.loaders import (
    BYTECODE_SUFFIXES,
    EXTENSION_SUFFIXES,
    SOURCE_SUFFIXES,
    ExtensionFileLoader,
    NamespaceLoader,
    SourceFileLoader,
    SourcelessFileLoader,
)
from .finders.pathfinder import FileFinder, PathFinder
from .spec import ModuleSpec

__all__ = [
    "BYTECODE_SUFFIXES",
    "BuiltinImporter",
    "DEBUG_BYTECODE_SUFFIXES",
    "EXTENSION_SUFFIXES",
    "ExtensionFileLoader",
    "FileFinder",
    "FrozenImporter",
    "ModuleSpec",
    "NamespaceLoader",
    "OPTIMIZED_BYTECODE_SUFFIXES",
    "PathFinder",
    "SOURCE_SUFFIXES",
    "SourceFileLoader",
    "SourcelessFileLoader",
    "WindowsRegistryFinder",
    "all_suffixes",
]

# Windows-only and registry-backed: nothing of ours to add, so the stdlib's.
WindowsRegistryFinder = _stock.WindowsRegistryFinder
if sys.version_info >= (3, 13):  # iOS-only, likewise
    AppleFrameworkLoader = _stock.AppleFrameworkLoader
    __all__.insert(0, "AppleFrameworkLoader")
if sys.version_info < (3, 11):  # public from 3.11
    del NamespaceLoader
    __all__.remove("NamespaceLoader")
if sys.version_info >= (3, 15):  # public from 3.15
    from .finders.namespace import NamespacePath  # noqa: F401

# Deprecated aliases the stdlib still exports; both are plain ".pyc" lists
# (from 3.14 with a DeprecationWarning on access).
_DEPRECATED_SUFFIXES = ("DEBUG_BYTECODE_SUFFIXES", "OPTIMIZED_BYTECODE_SUFFIXES")
if sys.version_info < (3, 14):
    DEBUG_BYTECODE_SUFFIXES = OPTIMIZED_BYTECODE_SUFFIXES = BYTECODE_SUFFIXES
else:

    def __getattr__(name: str) -> Any:
        if name in _DEPRECATED_SUFFIXES:
            warnings.warn(
                f"importlib.machinery.{name} is deprecated; use importlib.machinery.BYTECODE_SUFFIXES instead.",
                DeprecationWarning,
                stacklevel=2,
            )
            return BYTECODE_SUFFIXES
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def all_suffixes() -> list[str]:
    """Every file suffix a module can have, in search-priority order."""
    return SOURCE_SUFFIXES + BYTECODE_SUFFIXES + EXTENSION_SUFFIXES
