"""Live reload: change code while it runs, and nothing is lost.

    import importworks
    importworks.reload(module)            # it, then the modules importing it; returns it
    importworks.reload.last_report()      # what that reload did, module by module
    importworks.autoreload()              # a background watcher applies edits as saved
    %load_ext importworks                 # IPython/Jupyter: edits applied before each cell

The module keeps its dictionary, as with ``importlib.reload``, so its state
survives; old functions, bound methods, instances and ``from mod import name``
bindings run the new code; a broken edit changes nothing; what could not be
patched is warned of (``ReloadWarning``).  See docs/reload.md.

The watcher (``watchfiles``), the IPython extension and the ``dev`` command
load only when used.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

from .core import (
    ModuleReload,
    Reloader,
    ReloadError,
    ReloadReport,
    ReloadWarning,
    default_reloader,
    last_report,
    reload,
)
from .graph import ModuleGraph
from .patch import Conflict
from .source import SourceStampLoader, SourceTracker

__all__ = [
    "Conflict",
    "ModuleGraph",
    "ModuleReload",
    "ReloadError",
    "ReloadReport",
    "ReloadWarning",
    "Reloader",
    "SourceStampLoader",
    "SourceTracker",
    "Watcher",
    "autoreload",
    "default_reloader",
    "last_report",
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

    # the function itself, not a method calling it: the warnings reload() emits
    # then name the caller's line whichever way it was called
    __call__ = staticmethod(reload)


sys.modules[__name__].__class__ = _ReloadPackage


def __getattr__(name: str) -> Any:
    if name == "Watcher":
        from .watch import Watcher

        return Watcher
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
