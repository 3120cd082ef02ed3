"""Plugging the engine into the interpreter, and taking it out again.

:func:`install` puts our finders on ``sys.meta_path`` and our hooks on
``sys.path_hooks`` in the places of the stock ones, so every other finder and
hook keeps its position; the C fast path still serves cache hits.
:func:`activate` also makes ``builtins.__import__`` (and
``importlib.import_module``) ours, so every import statement runs our code.

Both return a handle that restores the interpreter exactly as it was, on
``uninstall()`` or at the end of a ``with`` block.
"""

from __future__ import annotations

import builtins
import importlib
import importlib._bootstrap as _stock_bootstrap
import importlib.machinery
import os
import sys
import threading
import zipimport
from collections.abc import Iterable
from typing import Any

from ..diagnostics.hints import install_hints, uninstall_hints
from ..engine import _importlib_bootstrap as engine
from ..engine.api import import_module
from ..engine.observers import lazy_hooks, restore_lazy_hooks, set_lazy_hook
from ..errors import ERR_LAZY_MODE
from ..finders.compiled_in import BuiltinImporter, FrozenImporter
from ..finders.pathfinder import FileFinder, PathFinder, add_distribution_source, default_path_hook
from ..stores.finder import PendingStoreFinder, StoreFinder, store_distributions, store_path_hook
from ..stores.trust import RefusedStoreFinder, pop_keys, push_keys
from . import interop
from .own_imports import keep_own_imports_eager

__all__ = ["Installation", "activate", "install", "is_active", "is_installed"]

_lock = threading.RLock()
# activate()'s default lazy mode: "normal" on 3.10-3.14, the interpreter's as it is on 3.15+
DEFAULT_LAZY_MODE = "default"
# importworks.lazy, looked up in sys.modules and never imported just to ask: a
# program may never use lazy imports (this module is one level down the package)
_LAZY_PACKAGE = __name__.rpartition(".")[0].rpartition(".")[0] + ".lazy"
_path_hook = default_path_hook()
# importlib.metadata through our path finder sees the distributions in stores too
add_distribution_source(store_distributions)


def _stock_finders() -> dict[Any, Any]:
    """Each stock meta path finder -> ours, which takes its place."""
    return {
        importlib.machinery.BuiltinImporter: BuiltinImporter,
        importlib.machinery.FrozenImporter: FrozenImporter,
        importlib.machinery.PathFinder: PathFinder,
    }


def _is_stock_file_hook(hook: Any) -> bool:
    """The interpreter's own folder hook, not another made by FileFinder.path_hook().

    Tools make folder hooks of their own with the stock FileFinder and their
    loaders (beartype does): those are not ours to replace.  The stock one is
    told apart by what its closure holds: the stock FileFinder class and the
    stock loaders only.
    """
    if not getattr(hook, "__qualname__", "").startswith("FileFinder.path_hook"):
        return False
    stock_loaders = {
        importlib.machinery.ExtensionFileLoader,
        importlib.machinery.SourceFileLoader,
        importlib.machinery.SourcelessFileLoader,
    }
    for cell in hook.__closure__ or ():
        try:
            value = cell.cell_contents
        except ValueError:  # an empty cell: not the stock hook's
            return False
        if isinstance(value, type):
            if value is not importlib.machinery.FileFinder:
                return False
        elif isinstance(value, tuple) and any(detail[0] not in stock_loaders for detail in value):
            return False  # (loader, suffixes) pairs naming a loader of another tool
    return True


class _Swaps:
    """What one installation changed in sys.meta_path and sys.path_hooks, to undo exactly that.

    Ours go *where the stock entries were*: a finder or hook that a user or a
    tool put in front of the stock ones (pytest's assertion rewriter,
    setuptools' distutils shim, an editable install's finder) stays in front.
    The lists are named, not held: code may rebind ``sys.meta_path``.
    """

    def __init__(self) -> None:
        self.replaced: list[tuple[str, Any, Any]] = []  # (list name, stock, ours)
        self.added: list[tuple[str, Any]] = []  # (list name, ours) where no stock entry was

    def replace(self, name: str, stock: Any, ours: Any) -> bool:
        entries = getattr(sys, name)
        index = _index_of(entries, stock)
        if index is None:
            return False
        entries[index] = ours
        self.replaced.append((name, stock, ours))
        return True

    def insert(self, name: str, index: int, ours: Any) -> None:
        getattr(sys, name).insert(index, ours)
        self.added.append((name, ours))

    def undo(self) -> None:
        for name, stock, ours in reversed(self.replaced):
            entries = getattr(sys, name)
            index = _index_of(entries, ours)
            if index is not None:
                entries[index] = stock
        for name, ours in reversed(self.added):
            entries = getattr(sys, name)
            index = _index_of(entries, ours)
            if index is not None:
                del entries[index]
        self.replaced.clear()
        self.added.clear()


def _index_of(entries: list[Any], item: Any) -> int | None:
    return next((i for i, entry in enumerate(entries) if entry is item), None)


def _swap_meta_path(swaps: _Swaps) -> None:
    for stock, ours in _stock_finders().items():
        if _index_of(sys.meta_path, ours) is None and not swaps.replace("meta_path", stock, ours):
            swaps.insert("meta_path", len(sys.meta_path), ours)  # the stock one was taken away


def _swap_path_hooks(swaps: _Swaps) -> None:
    if _index_of(sys.path_hooks, _path_hook) is None:
        stock = next((h for h in sys.path_hooks if _is_stock_file_hook(h)), None)
        if stock is None or not swaps.replace("path_hooks", stock, _path_hook):
            swaps.insert("path_hooks", len(sys.path_hooks), _path_hook)
    if _index_of(sys.path_hooks, store_path_hook) is None:
        # stores before zipimport, which would otherwise read a zip store as a plain archive
        at = _index_of(sys.path_hooks, zipimport.zipimporter)
        if at is None:
            at = _index_of(sys.path_hooks, _path_hook)
        swaps.insert("path_hooks", at or 0, store_path_hook)


class Installation:
    """The record of one install()/activate(); uninstall() puts everything back."""

    def __init__(self, replace_import: bool, trusted_keys: Iterable[str | os.PathLike[str]] = ()) -> None:
        self.replace_import = replace_import
        self.trusted_keys = [os.fspath(k) for k in trusted_keys]
        self._saved: dict[str, Any] = {}
        self._swaps = _Swaps()
        self._active = False

    def _apply(self) -> None:
        self._keys = push_keys(self.trusted_keys)  # first: a key file that cannot be read changes nothing
        self._saved = {"path_importer_cache": dict(sys.path_importer_cache)}
        _swap_meta_path(self._swaps)
        _swap_path_hooks(self._swaps)
        stock_finders = (importlib.machinery.FileFinder, zipimport.zipimporter)
        for entry, finder in list(sys.path_importer_cache.items()):
            if type(finder) in stock_finders or finder is None:
                del sys.path_importer_cache[entry]  # re-made by the hooks on next use
        if self.replace_import:
            self._saved["imports"] = (builtins.__import__, importlib.__import__, importlib.import_module)
            if hasattr(_stock_bootstrap, "_find_and_load_lazy_submodule"):
                # 3.15: the interpreter imports some lazy submodules through this function, found by name
                self._saved["lazy submodule"] = _stock_bootstrap._find_and_load_lazy_submodule
                _stock_bootstrap._find_and_load_lazy_submodule = engine.find_and_load_lazy_submodule
            builtins.__import__ = engine.__import__
            importlib.__import__ = engine.__import__
            importlib.import_module = import_module
        interop.introduce_to_loaded_modules()
        self._active = True

    def uninstall(self) -> None:
        """Restore sys.meta_path, sys.path_hooks, the importer cache and __import__."""
        with _lock:
            if not self._active:
                return
            self._active = False
            if self.replace_import:
                builtins.__import__, importlib.__import__, importlib.import_module = self._saved["imports"]
                if "lazy submodule" in self._saved:
                    _stock_bootstrap._find_and_load_lazy_submodule = self._saved.pop("lazy submodule")  # type: ignore[attr-defined]
            if "native lazy" in self._saved:  # 3.15+: the interpreter's mode and filter as they were
                from .. import _lazy_native

                _lazy_native.restore(self._saved.pop("native lazy"))
                lazy_imports = self._saved.pop("lazy package", None) or sys.modules.get(_LAZY_PACKAGE)
                if lazy_imports is not None:
                    lazy_imports.sync_native_rules()
            if "lazy" in self._saved:
                hooks, mode = self._saved.pop("lazy")
                lazy_imports = sys.modules.get(_LAZY_PACKAGE)
                if lazy_imports is not None:  # its own notion of the mode, then the hooks
                    if mode is None:
                        lazy_imports.disable()
                    else:
                        lazy_imports.enable(mode)
                restore_lazy_hooks(hooks)
            self._swaps.undo()
            pop_keys(self._keys)
            cache = sys.path_importer_cache
            for entry, finder in list(cache.items()):
                if isinstance(finder, (FileFinder, StoreFinder, PendingStoreFinder, RefusedStoreFinder)):
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


def _start(replace_import: bool, trusted_keys: Iterable[str | os.PathLike[str]] | None = None) -> Installation:
    with _lock:
        handle = Installation(replace_import, trusted_keys or ())
        handle._apply()
        _stack.append(handle)
        return handle


def install(trusted_keys: Iterable[str | os.PathLike[str]] | None = None) -> Installation:
    """Put our finders and path hook in place of the stock ones.

    ``import`` statements still enter through CPython's C code, which answers
    cache hits itself and asks our finders for everything else.  With
    *trusted_keys* (public key files from ``importworks keygen``; also read
    from ``IMPORTWORKS_TRUSTED_KEYS``) stores are used only if signed by one
    of them (docs/security.md).
    """
    return _start(replace_import=False, trusted_keys=trusted_keys)


_NATIVE_LAZY = hasattr(sys, "set_lazy_imports")  # 3.15+: PEP 810 in the interpreter


def activate(
    lazy: str | None = DEFAULT_LAZY_MODE, trusted_keys: Iterable[str | os.PathLike[str]] | None = None
) -> Installation:
    """install(), and route every import statement through our ``__import__``.

    *lazy* is PEP 810's mode: ``"normal"`` (names in a module's
    ``__lazy_modules__`` are bound lazily; ``"listed"`` is an alias), ``"all"``
    (every eligible module-level import; see :func:`importworks.set_lazy_filter`),
    ``"none"`` (ours: nothing is lazy);
    None leaves lazy imports as they are.  The default is ``"normal"`` on
    3.10-3.14; on 3.15+, where the interpreter has the modes itself
    (``sys.set_lazy_imports``), it leaves the mode as ``-X lazy_imports`` or
    ``PYTHON_LAZY_IMPORTS`` set it, and an explicit mode sets the interpreter's.
    On 3.15+ the lazy objects are the interpreter's and they reify through the
    engine.  uninstall() restores the mode and filter found.  An uncaught
    ModuleNotFoundError also says why, in a line or two (see
    importworks.diagnostics.hints).
    """
    if lazy not in (None, DEFAULT_LAZY_MODE, "normal", "listed", "all", "none"):
        raise ValueError(ERR_LAZY_MODE.format(mode=lazy))
    if _NATIVE_LAZY:  # the engine's own imports stay eager
        keep_own_imports_eager()
    handle = _start(replace_import=True, trusted_keys=trusted_keys)
    if _NATIVE_LAZY:
        if lazy is not None and lazy != DEFAULT_LAZY_MODE:
            # importworks.lazy is loaded for mode "all" only (its rules), or if loaded already
            from .. import _lazy_native

            handle._saved["native lazy"] = _lazy_native.snapshot()
            mode = "normal" if lazy == "listed" else lazy
            package: Any = sys.modules.get(_LAZY_PACKAGE)
            if mode == "all" and package is None:
                from .. import lazy as package  # importworks' rules for mode "all" live there
            if package is not None:
                handle._saved["lazy package"] = package  # uninstall must find it even if sys.modules lost it
                package.enable(mode)
            else:
                _lazy_native.enable(mode)
    elif lazy is not None:
        if lazy == DEFAULT_LAZY_MODE:
            lazy = "normal"
        handle._saved["lazy"] = (lazy_hooks(), _lazy_mode())
        if lazy in ("normal", "listed"):
            # importworks.lazy loads only once a module lists something
            set_lazy_hook(_first_listed_import, listed_only=True)
        else:
            from .. import lazy as lazy_imports

            lazy_imports.enable(lazy)
    install_hints()
    return handle


def _lazy_mode() -> str | None:
    module = sys.modules.get(_LAZY_PACKAGE)
    return module.get_lazy_mode() if module is not None else None


def _first_listed_import(name: str, globals: Any, fromlist: Any, level: int) -> Any:
    """Stand-in for importworks.lazy's hook until a module defines __lazy_modules__."""
    from .. import lazy as lazy_imports

    lazy_imports.enable("normal")
    return lazy_imports._hook(name, globals, fromlist, level)


def is_installed() -> bool:
    """Are our finders on sys.meta_path?"""
    return PathFinder in sys.meta_path


def is_active() -> bool:
    """Is builtins.__import__ ours?"""
    return builtins.__import__ is engine.__import__
