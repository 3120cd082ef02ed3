"""Introduce importworks' finders and loaders to code that only knows the stdlib's.

* ``importlib.abc``: our classes are registered with its ABCs, so
  ``isinstance(loader, importlib.abc.SourceLoader)`` holds.  importlib.abc is
  slow to import (it pulls in importlib.resources), so this happens when it is
  first imported, not when importworks is.
* ``distlib.resources`` (also vendored by pip) looks resource finders up by the
  loader's exact type; ``pkg_resources`` by the finder's class.  Both get our
  types registered right after their module body runs (pkg_resources then
  rebuilds its working set, which it built before we could register).

* ``awscli`` wraps the meta path finder it finds by the stock class name
  ``_frozen_importlib_external.PathFinder`` (to serve its vendored botocore as
  a top-level package); with ours in that place it finds none, so its wrapper
  is put in front of ours instead.

Each is an after-exec hook of the engine (``add_after_exec_hook``), registered
when this module is imported (``import importworks`` does): the loaders' one dict
lookup after every module body finds it.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from types import ModuleType

from ..engine.observers import add_after_exec_hook

__all__ = ["introduce_to_loaded_modules", "register_abcs"]

_abcs_registered = False


def register_abcs(_module: ModuleType | None = None) -> None:
    """Register our finders and loaders with importlib.abc (once)."""
    global _abcs_registered
    if _abcs_registered:
        return
    _abcs_registered = True
    # as the after-exec hook, *_module* is importlib.abc, not bound on importlib yet:
    # ``import importlib.abc as stock`` would read a missing attribute of importlib
    # (a lazy run then imports every module pending under importlib, see lazy._pending)
    stock = _module if _module is not None else importlib.import_module("importlib.abc")

    from ..finders import compiled_in, loaders, pathfinder

    for abstract, classes in (
        (stock.MetaPathFinder, (compiled_in.BuiltinImporter, compiled_in.FrozenImporter, pathfinder.PathFinder)),
        (stock.PathEntryFinder, (pathfinder.FileFinder,)),
        (stock.InspectLoader, (compiled_in.BuiltinImporter, compiled_in.FrozenImporter, loaders.NamespaceLoader)),
        (stock.ExecutionLoader, (loaders.ExtensionFileLoader,)),
        (stock.FileLoader, (loaders.SourceFileLoader, loaders.SourcelessFileLoader)),
        (stock.SourceLoader, (loaders.SourceFileLoader,)),
    ):
        for cls in classes:
            abstract.register(cls)


def _teach_distlib(resources: ModuleType) -> None:
    from ..finders import loaders, pathfinder

    finder = getattr(resources, "ResourceFinder", None)
    registry = getattr(resources, "_finder_registry", None)  # register_finder() wants instances
    if finder is None or not isinstance(registry, dict):
        return
    for cls in (loaders.SourceFileLoader, loaders.SourcelessFileLoader, pathfinder.FileFinder):
        registry.setdefault(cls, finder)


def _teach_pkg_resources(pkg_resources: ModuleType) -> None:
    from ..finders import loaders, pathfinder

    try:
        pkg_resources.register_finder(pathfinder.FileFinder, pkg_resources.find_on_path)
        pkg_resources.register_namespace_handler(pathfinder.FileFinder, pkg_resources.file_ns_handler)
        for cls in (loaders.SourceFileLoader, loaders.SourcelessFileLoader):
            pkg_resources.register_loader_type(cls, pkg_resources.DefaultProvider)
        rebuild = pkg_resources._initialize_master_working_set
    except AttributeError:
        return  # a pkg_resources we do not know: leave it as it is
    rebuild()


def _teach_awscli(awscli: ModuleType) -> None:
    from ..finders.pathfinder import PathFinder

    alias_finder = getattr(awscli, "TopLevelImportAliasFinder", None)
    if not isinstance(alias_finder, type) or PathFinder not in sys.meta_path:
        return
    if any(isinstance(finder, alias_finder) for finder in sys.meta_path):
        return  # it found a finder to wrap (the stock one, before install())
    sys.meta_path.insert(sys.meta_path.index(PathFinder), alias_finder(PathFinder))


_AFTER_EXEC: dict[str, Callable[[ModuleType], None]] = {
    "importlib.abc": register_abcs,
    "distlib.resources": _teach_distlib,
    "pip._vendor.distlib.resources": _teach_distlib,
    "pkg_resources": _teach_pkg_resources,
    "awscli": _teach_awscli,
    "pip._vendor.pkg_resources": _teach_pkg_resources,
}

for _name, _hook in _AFTER_EXEC.items():
    add_after_exec_hook(_name, _hook)


def introduce_to_loaded_modules() -> None:
    """Do for modules imported before importworks was installed what the after-exec hooks do."""
    for name, hook in _AFTER_EXEC.items():
        module = sys.modules.get(name)
        if module is not None:
            hook(module)
