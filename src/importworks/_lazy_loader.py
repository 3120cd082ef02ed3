"""LazyLoader: create a module now, execute its body on first attribute access.

importlib.util.LazyLoader's twin, re-exported by importworks.util; unrelated to
PEP 810's lazy imports (importworks.lazy).
"""

from __future__ import annotations

import threading
import types
from typing import Any, Callable

from .spec import ModuleSpec

__all__ = ["LazyLoader"]


class _LazyModule(types.ModuleType):
    """A module whose body runs when an attribute is first looked up."""

    def __getattribute__(self, attr: str) -> Any:
        spec = object.__getattribute__(self, "__spec__")
        state = spec.loader_state
        with state["lock"]:
            # re-check under the lock: another thread may have finished the load
            if object.__getattribute__(self, "__class__") is _LazyModule:
                if state["is_loading"]:
                    # the body itself is running and looks at its own module
                    return object.__getattribute__(self, attr)
                state["is_loading"] = True
                _finish_load(self, spec, state)
        return getattr(self, attr)

    def __delattr__(self, attr: str) -> None:
        self.__getattribute__("__name__")  # load first, then delete for real
        delattr(self, attr)


def _finish_load(module: _LazyModule, spec: ModuleSpec, state: dict[str, Any]) -> None:
    import sys

    namespace = object.__getattribute__(module, "__dict__")
    original_name = spec.name
    before = state["__dict__"]
    # attributes set on the lazy module since its creation win over the body's
    changed = {key: value for key, value in namespace.items() if key not in before or before[key] is not value}
    spec.loader.exec_module(module)
    if original_name in sys.modules and id(module) != id(sys.modules[original_name]):
        raise ValueError(f"module object for {original_name!r} substituted in sys.modules during a lazy load")
    namespace.update(changed)
    module.__class__ = state["__class__"]


class LazyLoader:
    """Wrap a loader so its modules execute on first use (see importlib.util)."""

    @staticmethod
    def __check_eager_loader(loader: Any) -> None:
        if not hasattr(loader, "exec_module"):
            raise TypeError("loader must define exec_module()")

    @classmethod
    def factory(cls, loader: Callable[..., Any]) -> Callable[..., LazyLoader]:
        """A callable that makes a LazyLoader around loader(*args, **kwargs)."""
        cls.__check_eager_loader(loader)
        return lambda *args, **kwargs: cls(loader(*args, **kwargs))

    def __init__(self, loader: Any) -> None:
        self.__check_eager_loader(loader)
        self.loader = loader

    def create_module(self, spec: ModuleSpec) -> Any:
        return self.loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        """Defer execution: remember the state and switch the module's class."""
        module.__spec__.loader = self.loader
        module.__loader__ = self.loader
        module.__spec__.loader_state = {
            "__dict__": module.__dict__.copy(),
            "__class__": module.__class__,
            "lock": threading.RLock(),
            "is_loading": False,
        }
        module.__class__ = _LazyModule
