"""importworks: Python's import system, in Python, that you can see into.

    import importworks
    with importworks.activate():      # every import statement runs our engine
        import json

``install()`` only swaps the finders (the C fast path keeps serving cache hits);
``activate()`` also replaces ``builtins.__import__``.  Both undo themselves.
"""

# No `from __future__ import annotations` here: -X lazy_imports=all (3.15) would
# bind it lazily before the filter below keeps our imports eager.  What this
# module annotates is valid at run time on 3.10+.
import sys

if hasattr(sys, "set_lazy_imports_filter"):  # 3.15+: before the package imports anything else
    from .wiring.own_imports import keep_own_imports_eager as _keep_own_imports_eager

    _keep_own_imports_eager()

from . import _cpython_private, machinery
from ._version import __version__ as __version__  # the package's version, read by tools
from .engine._importlib_bootstrap import __import__
from .engine.api import find_spec, import_module, invalidate_caches
from .errors import DeadlockError, StoreError, StoreIntegrityError
from .wiring.activation import Installation, activate, install, is_active, is_installed

__all__ = [
    "DeadlockError",
    "Installation",
    "ReloadError",
    "ReloadWarning",
    "StoreError",
    "StoreIntegrityError",
    "__import__",
    "abc",
    "activate",
    "autoreload",
    "find_spec",
    "import_module",
    "install",
    "invalidate_caches",
    "is_active",
    "is_installed",
    "lazy_import",
    "lazy_modules",
    "load_ipython_extension",
    "machinery",
    "reload",
    "set_lazy_filter",
    "unload_ipython_extension",
    "util",
]

if sys.version_info < (3, 12):
    from .engine.api import find_loader  # noqa: F401  (deprecated, as in importlib)

    __all__.append("find_loader")

# CPython's own tests reach for importlib._bootstrap internals: give them ours
_bootstrap = _cpython_private.bootstrap
_bootstrap_external = _cpython_private.bootstrap_external


# Loaded on first use, so that `import importworks` stays cheap: abc pulls in
# importlib.abc (importlib.resources, pathlib...), reload and lazy are features
# a program may never use.  reload is the package, callable as
# reload(module, *, dependents=True).
_ON_FIRST_USE = {
    "abc": ("abc", None),
    "util": ("util", None),
    "reload": ("reload", None),
    "ReloadError": ("reload", "ReloadError"),
    "ReloadWarning": ("reload", "ReloadWarning"),
    "autoreload": ("reload", "autoreload"),
    "load_ipython_extension": ("reload", "load_ipython_extension"),
    "unload_ipython_extension": ("reload", "unload_ipython_extension"),
    "lazy_import": ("lazy", "lazy_import"),
    "lazy_modules": ("lazy", "lazy_modules"),
    "set_lazy_filter": ("lazy", "set_lazy_filter"),
}


def __getattr__(name: str) -> object:
    if name in _ON_FIRST_USE:
        import importlib

        module_name, attribute = _ON_FIRST_USE[name]
        module = importlib.import_module(f"{__name__}.{module_name}")
        return module if attribute is None else getattr(module, attribute)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
