"""importworks: Python's import system, in Python, that you can see into.

    import importworks
    with importworks.activate():      # every import statement runs our engine
        import json

``install()`` only swaps the finders (the C fast path keeps serving cache hits);
``activate()`` also replaces ``builtins.__import__``.  Both undo themselves.
"""

from __future__ import annotations

import sys

from . import _cpython_private, machinery
from ._importlib_bootstrap import __import__
from .activation import Installation, activate, install, is_active, is_installed
from .api import find_spec, import_module, invalidate_caches, reload
from .errors import DeadlockError, StoreError

__all__ = [
    "DeadlockError",
    "Installation",
    "StoreError",
    "__import__",
    "abc",
    "activate",
    "find_spec",
    "import_module",
    "install",
    "invalidate_caches",
    "is_active",
    "is_installed",
    "machinery",
    "reload",
    "util",
]

if sys.version_info < (3, 12):
    from .api import find_loader  # noqa: F401  (deprecated, as in importlib)

    __all__.append("find_loader")

# CPython's own tests reach for importlib._bootstrap internals: give them ours
_bootstrap = _cpython_private.bootstrap
_bootstrap_external = _cpython_private.bootstrap_external

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # abc pulls in importlib.abc (and with it importlib.resources, pathlib...):
    # only programs that ask for it pay for it
    if name in ("abc", "util"):
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
