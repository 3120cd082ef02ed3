"""Plugging the engine into the interpreter, and taking it out again.

:func:`install` swaps the stock finders on ``sys.meta_path`` and the folder hook
on ``sys.path_hooks`` for ours; the C fast path still serves cache hits.
:func:`activate` also makes ``builtins.__import__`` (and
``importlib.import_module``) ours, so every import statement runs our code.

Both return a handle that restores the interpreter exactly as it was, on
``uninstall()`` or at the end of a ``with`` block.
"""

from __future__ import annotations

import builtins
import importlib
import importlib.machinery
import sys
import threading
import zipimport
from typing import Any

from . import _importlib_bootstrap as engine
from . import compat
from .observers import lazy_hooks, restore_lazy_hooks, set_lazy_hook
from .api import import_module
from .diagnostics.hints import install_hints, uninstall_hints
from .loaders import BuiltinImporter, FrozenImporter
from .pathfinder import FileFinder, PathFinder, default_path_hook
from .stores.finder import StoreFinder, store_path_hook

__all__ = ["Installation", "activate", "install", "is_active", "is_installed"]

_STOCK_FINDERS = (importlib.machinery.BuiltinImporter, importlib.machinery.FrozenImporter,
                  importlib.machinery.PathFinder)
_OUR_FINDERS = (BuiltinImporter, FrozenImporter, PathFinder)
_lock = threading.RLock()
_path_hook = default_path_hook()


def _is_stock_file_hook(hook: Any) -> bool:
    return getattr(hook, "__qualname__", "").startswith("FileFinder.path_hook") and hook is not _path_hook


class Installation:
    """The record of one install()/activate(); uninstall() puts everything back."""

    def __init__(self, replace_import: bool) -> None:
        self.replace_import = replace_import
        self._saved: dict[str, Any] = {}
        self._active = False

    def _apply(self) -> None:
        self._saved = {
            "meta_path": list(sys.meta_path),
            "path_hooks": list(sys.path_hooks),
            "path_importer_cache": dict(sys.path_importer_cache),
        }
        ours = [f for f in _OUR_FINDERS if f not in sys.meta_path]
        sys.meta_path[:] = ours + [f for f in sys.meta_path if f not in _STOCK_FINDERS]
        if _path_hook not in sys.path_hooks:
            kept = [h for h in sys.path_hooks if not _is_stock_file_hook(h) and h is not store_path_hook]
            sys.path_hooks[:] = [store_path_hook, _path_hook] + kept
        stock_finders = (importlib.machinery.FileFinder, zipimport.zipimporter)
        for entry, finder in list(sys.path_importer_cache.items()):
            if type(finder) in stock_finders or finder is None:
                del sys.path_importer_cache[entry]  # re-made by our hook on next use
        if self.replace_import:
            self._saved["imports"] = (builtins.__import__, importlib.__import__, importlib.import_module)
            builtins.__import__ = engine.__import__
            importlib.__import__ = engine.__import__
            importlib.import_module = import_module
        compat.introduce_to_loaded_modules()
        self._active = True

    def uninstall(self) -> None:
        """Restore sys.meta_path, sys.path_hooks, the importer cache and __import__."""
        with _lock:
            if not self._active:
                return
            self._active = False
            if self.replace_import:
                builtins.__import__, importlib.__import__, importlib.import_module = self._saved["imports"]
            if "lazy" in self._saved:
                hooks, mode = self._saved.pop("lazy")
                lazy_imports = sys.modules.get(f"{__package__}.lazy")
                if lazy_imports is not None:  # its own notion of the mode, then the hooks
                    if mode is None:
                        lazy_imports.disable()
                    else:
                        lazy_imports.enable(mode)
                restore_lazy_hooks(hooks)
            sys.meta_path[:] = self._saved["meta_path"]
            sys.path_hooks[:] = self._saved["path_hooks"]
            cache = sys.path_importer_cache
            for entry, finder in list(cache.items()):
                if isinstance(finder, (FileFinder, StoreFinder)):
                    del cache[entry]
            for entry, finder in self._saved["path_importer_cache"].items():
                cache.setdefault(entry, finder)
            _stack.remove(self)
            if self.replace_import and not any(h.replace_import for h in _stack):
                uninstall_hints()

    def __enter__(self) -> Installation:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.uninstall()

    def __repr__(self) -> str:
        kind = "activate" if self.replace_import else "install"
        return f"<importworks {kind}() {'active' if self._active else 'undone'}>"


_stack: list[Installation] = []


def _start(replace_import: bool) -> Installation:
    with _lock:
        handle = Installation(replace_import)
        handle._apply()
        _stack.append(handle)
        return handle


def install() -> Installation:
    """Put our finders and path hook in place of the stock ones.

    ``import`` statements still enter through CPython's C code, which answers
    cache hits itself and asks our finders for everything else.
    """
    return _start(replace_import=False)


def activate(lazy: str | None = "listed") -> Installation:
    """install(), and route every import statement through our ``__import__``.

    *lazy* is PEP 810's mode: ``"listed"`` (names in a module's
    ``__lazy_modules__`` are bound lazily), ``"all"`` (every eligible
    module-level import; see :func:`importworks.set_lazy_filter`), ``"none"``;
    None leaves lazy imports as they are.  An uncaught ModuleNotFoundError
    also says why, in a line or two (see importworks.diagnostics.hints).
    """
    handle = _start(replace_import=True)
    if lazy is not None:
        handle._saved["lazy"] = (lazy_hooks(), _lazy_mode())
        if lazy == "listed":
            # importworks.lazy loads only once a module lists something
            set_lazy_hook(_first_listed_import, listed_only=True)
        else:
            from . import lazy as lazy_imports

            lazy_imports.enable(lazy)
    install_hints()
    return handle


def _lazy_mode() -> str | None:
    module = sys.modules.get(f"{__package__}.lazy")
    return module.get_lazy_mode() if module is not None else None


def _first_listed_import(name: str, globals: Any, fromlist: Any, level: int) -> Any:
    """Stand-in for importworks.lazy's hook until a module defines __lazy_modules__."""
    from . import lazy as lazy_imports

    lazy_imports.enable("listed")
    return lazy_imports._hook(name, globals, fromlist, level)


def is_installed() -> bool:
    """Are our finders on sys.meta_path?"""
    return PathFinder in sys.meta_path


def is_active() -> bool:
    """Is builtins.__import__ ours?"""
    return builtins.__import__ is engine.__import__
