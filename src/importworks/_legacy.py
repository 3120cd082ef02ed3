"""PEP 302 leftovers that Python 3.10 and 3.11 still export (removed in 3.12).

Kept only so code written for those versions, and CPython's own tests of them,
run unchanged against importworks.
"""

from __future__ import annotations

import functools
import sys
import warnings
from contextlib import contextmanager
from types import ModuleType
from typing import Any, Callable, Iterator

__all__ = ["module_for_loader", "set_loader", "set_package"]

_SLATED = "The import system now takes care of this automatically; this decorator is slated for removal in Python 3.12"


@contextmanager
def _module_to_load(name: str) -> Iterator[ModuleType]:
    reloading = name in sys.modules
    module = sys.modules.get(name)
    if not reloading:
        module = ModuleType(name)
        module.__initializing__ = True  # type: ignore[attr-defined]
        sys.modules[name] = module
    try:
        yield module  # type: ignore[misc]
    except Exception:
        # the historical behaviour: a failed new module is dropped, the error swallowed
        if not reloading:
            sys.modules.pop(name, None)
    finally:
        module.__initializing__ = False  # type: ignore[union-attr]


def set_package(fxn: Callable[..., Any]) -> Callable[..., Any]:
    """Deprecated: set __package__ on the module *fxn* returns."""

    @functools.wraps(fxn)
    def set_package_wrapper(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(_SLATED, DeprecationWarning, stacklevel=2)
        module = fxn(*args, **kwargs)
        if getattr(module, "__package__", None) is None:
            name = module.__name__
            module.__package__ = name if hasattr(module, "__path__") else name.rpartition(".")[0]
        return module

    return set_package_wrapper


def set_loader(fxn: Callable[..., Any]) -> Callable[..., Any]:
    """Deprecated: set __loader__ on the module *fxn* returns."""

    @functools.wraps(fxn)
    def set_loader_wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        warnings.warn(_SLATED, DeprecationWarning, stacklevel=2)
        module = fxn(self, *args, **kwargs)
        if getattr(module, "__loader__", None) is None:
            module.__loader__ = self
        return module

    return set_loader_wrapper


def module_for_loader(fxn: Callable[..., Any]) -> Callable[..., Any]:
    """Deprecated: call a load_module(fullname) implementation with the module instead."""
    warnings.warn(_SLATED, DeprecationWarning, stacklevel=2)

    @functools.wraps(fxn)
    def module_for_loader_wrapper(self: Any, fullname: str, *args: Any, **kwargs: Any) -> Any:
        with _module_to_load(fullname) as module:
            module.__loader__ = self
            try:
                is_package = self.is_package(fullname)
            except (ImportError, AttributeError):
                pass
            else:
                module.__package__ = fullname if is_package else fullname.rpartition(".")[0]
            return fxn(self, module, *args, **kwargs)

    return module_for_loader_wrapper
