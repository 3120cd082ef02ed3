"""LazyLoader: create a module now, execute its body on first attribute access.

importlib.util.LazyLoader's twin, re-exported by importworks.util; unrelated to
PEP 810's lazy imports (importworks.lazy).
"""

from __future__ import annotations

import sys
import threading
import types
from collections.abc import Callable
from typing import Any

from .spec import ModuleSpec

__all__ = ["LazyLoader"]

_UNSET = object()


class _DeferredBody:
    """A lazy module's pending body: kept as its spec's loader_state until it runs."""

    __slots__ = ("created_with", "lock", "real_class", "running")

    def __init__(self, module: types.ModuleType) -> None:
        # what the module held when it was made lazy: anything set on it since
        # is the importer's and must survive the body (compared by identity, as
        # code that set an attribute may keep the object it assigned)
        self.created_with = dict(module.__dict__)
        self.real_class = type(module)
        # re-entrant: the body's own reads of its module come back on this thread
        self.lock = threading.RLock()
        self.running = False

    def run(self, module: _LazyModule, spec: ModuleSpec) -> None:
        """Execute the body in *module* (its namespace, its identity), then make it an ordinary module."""
        self.running = True
        name = spec.name  # before the body, which may rebind spec.name
        namespace = self.real_class.__getattribute__(module, "__dict__")
        set_since = {key: value for key, value in namespace.items() if self.created_with.get(key, _UNSET) is not value}
        spec.loader.exec_module(module)  # type: ignore[union-attr]
        if name in sys.modules and sys.modules[name] is not module:
            raise ValueError(f"module object for {name!r} substituted in sys.modules during a lazy load")
        namespace.update(set_since)
        if isinstance(module, _LazyModule):  # a body that set its own __class__ keeps it
            object.__setattr__(module, "__class__", self.real_class)


class _LazyModule(types.ModuleType):
    """A module whose body runs when any attribute is first looked up."""

    def __getattribute__(self, attr: str) -> Any:
        spec = object.__getattribute__(self, "__spec__")
        body: _DeferredBody = spec.loader_state
        with body.lock:
            # looked at again under the lock: another thread may have run the body meanwhile
            if object.__getattribute__(self, "__class__") is _LazyModule:
                if body.running:  # the body itself, reading its own module: as the real class would
                    return body.real_class.__getattribute__(self, attr)
                body.run(self, spec)
        return getattr(self, attr)

    def __delattr__(self, attr: str) -> None:
        self.__getattribute__("__name__")  # run the body first, then delete for real
        delattr(self, attr)


def _eager(loader: Any) -> Any:
    """*loader*, if it can execute modules itself (the one thing LazyLoader defers)."""
    if not hasattr(loader, "exec_module"):
        raise TypeError("loader must define exec_module()")
    return loader


class LazyLoader:
    """Wrap a loader so its modules execute on first use (see importlib.util)."""

    def __init__(self, loader: Any) -> None:
        self.loader = _eager(loader)

    @classmethod
    def factory(cls, loader: Callable[..., Any]) -> Callable[..., LazyLoader]:
        """A callable that makes a LazyLoader around loader(*args, **kwargs) (for FileFinder.path_hook)."""
        _eager(loader)
        return lambda *args, **kwargs: cls(loader(*args, **kwargs))

    def create_module(self, spec: ModuleSpec) -> Any:
        return self.loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        """Defer the body: the wrapped loader becomes the module's, and the module turns lazy."""
        spec: Any = module.__spec__
        spec.loader = self.loader
        module.__loader__ = self.loader
        spec.loader_state = _DeferredBody(module)
        module.__class__ = _LazyModule
