"""Live reload: change code while it runs, and nothing is lost.

    import importworks
    importworks.reload(module)            # it, then the modules importing it
    importworks.autoreload()              # a background watcher applies edits as saved
    %load_ext importworks                 # IPython/Jupyter: edits applied before each cell

Old functions, bound methods, instances and ``from mod import name`` bindings
run the new code; a broken edit changes nothing.  See docs/reload.md.

The watcher (``watchfiles``), the IPython extension and the ``dev`` command
load only when used.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

from .core import ModuleReload, Reloader, ReloadError, ReloadReport, default_reloader, reload
from .graph import ModuleGraph
from .source import SourceStampLoader, SourceTracker

__all__ = [
    "ModuleGraph",
    "ModuleReload",
    "ReloadError",
    "ReloadReport",
    "Reloader",
    "SourceStampLoader",
    "SourceTracker",
    "Watcher",
    "autoreload",
    "default_reloader",
    "load_ipython_extension",
    "reload",
    "unload_ipython_extension",
]


def autoreload(**options: Any) -> Any:
    """Start (or return) the background watcher that reloads edited modules; see watch.autoreload."""
    from .watch import autoreload as start

    return start(**options)


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext importworks``: reload edited modules before each cell runs."""
    from .ipython import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext importworks``."""
    from .ipython import unload_ipython_extension as unload

    unload(ipython)


class _ReloadPackage(ModuleType):
    """This package, callable: ``importworks.reload(module)`` is :func:`reload`.

    The package and the function share the name ``importworks.reload``.  Were the
    function bound there, it would hide the package from ``import
    importworks.reload.watch``; a callable package serves both.
    """

    def __call__(self, module: ModuleType, *, dependents: bool = True) -> ModuleType:
        return reload(module, dependents=dependents)


sys.modules[__name__].__class__ = _ReloadPackage


def __getattr__(name: str) -> Any:
    if name == "Watcher":
        from .watch import Watcher

        return Watcher
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
