"""PEP 302 leftovers that Python 3.10 and 3.11 still export (removed in 3.12).

Kept only so code written for those versions, and CPython's own tests of them,
run unchanged against importworks.
"""

from __future__ import annotations

import functools
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

__all__ = ["module_for_loader", "set_loader", "set_package"]

_SLATED = "The import system now takes care of this automatically; this decorator is slated for removal in Python 3.12"


@contextmanager
def _module_to_load(name: str) -> Iterator[ModuleType]:
    """The module a load_module() fills: sys.modules' one on a reload, else a new one registered now.

    A new module whose load fails leaves sys.modules again, and the error is
    swallowed: the historical behaviour these decorators kept to the end.
    """
    reloading = name in sys.modules
    module = sys.modules[name] if reloading else _registered(ModuleType(name))
    try:
        yield module
    except Exception:
        if not reloading:
            sys.modules.pop(name, None)
    finally:
        module.__initializing__ = False  # type: ignore[attr-defined]


def _registered(module: ModuleType) -> ModuleType:
    module.__initializing__ = True  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    return module


def _package_name(fullname: str, is_package: bool) -> str:
    return fullname if is_package else fullname.rpartition(".")[0]


def _filling_in(fxn: Callable[..., Any], attribute: str, value: Callable[[Any, tuple[Any, ...]], Any]) -> Any:
    """*fxn*, deprecated, setting *attribute* on the module it returns when that is None or missing."""

    @functools.wraps(fxn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(_SLATED, DeprecationWarning, stacklevel=2)
        module = fxn(*args, **kwargs)
        if getattr(module, attribute, None) is None:
            setattr(module, attribute, value(module, args))
        return module

    return wrapper


def set_package(fxn: Callable[..., Any]) -> Callable[..., Any]:
    """Deprecated: set __package__ on the module *fxn* returns."""
    return _filling_in(
        fxn, "__package__", lambda module, _: _package_name(module.__name__, hasattr(module, "__path__"))
    )


def set_loader(fxn: Callable[..., Any]) -> Callable[..., Any]:
    """Deprecated: set __loader__ on the module the loader method *fxn* returns (to that loader)."""
    return _filling_in(fxn, "__loader__", lambda _, args: args[0])


def module_for_loader(fxn: Callable[..., Any]) -> Callable[..., Any]:
    """Deprecated: call a load_module(fullname) implementation with the module instead."""
    warnings.warn(_SLATED, DeprecationWarning, stacklevel=2)

    @functools.wraps(fxn)
    def module_for_loader_wrapper(self: Any, fullname: str, *args: Any, **kwargs: Any) -> Any:
        with _module_to_load(fullname) as module:
            module.__loader__ = self
            try:
                module.__package__ = _package_name(fullname, self.is_package(fullname))
            except (ImportError, AttributeError):
                pass  # a loader that cannot tell leaves __package__ to the module
            return fxn(self, module, *args, **kwargs)

    return module_for_loader_wrapper
