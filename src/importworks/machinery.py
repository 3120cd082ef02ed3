"""Our finders and loaders under the names of :mod:`importlib.machinery`."""

from __future__ import annotations

import importlib.machinery as _stock

from .loaders import (
    BYTECODE_SUFFIXES,
    EXTENSION_SUFFIXES,
    SOURCE_SUFFIXES,
    BuiltinImporter,
    ExtensionFileLoader,
    FrozenImporter,
    NamespaceLoader,
    SourceFileLoader,
    SourcelessFileLoader,
)
from .pathfinder import FileFinder, NamespacePath, PathFinder
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
    "NamespacePath",
    "OPTIMIZED_BYTECODE_SUFFIXES",
    "PathFinder",
    "SOURCE_SUFFIXES",
    "SourceFileLoader",
    "SourcelessFileLoader",
    "WindowsRegistryFinder",
    "all_suffixes",
]

# Deprecated aliases the stdlib still exports; both are plain ".pyc" lists.
DEBUG_BYTECODE_SUFFIXES = OPTIMIZED_BYTECODE_SUFFIXES = BYTECODE_SUFFIXES
# Windows-only and registry-backed: nothing of ours to add, so the stdlib's.
WindowsRegistryFinder = _stock.WindowsRegistryFinder


def all_suffixes() -> list[str]:
    """Every file suffix a module can have, in search-priority order."""
    return SOURCE_SUFFIXES + BYTECODE_SUFFIXES + EXTENSION_SUFFIXES
