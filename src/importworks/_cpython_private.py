"""CPython's private ``importlib._bootstrap`` names, pointing at our own code.

CPython's test suite reaches into ``importlib._bootstrap`` (``_ModuleLock``,
``_module_locks``, ``_load``...).  The conformance runner hands those tests
``importworks._bootstrap`` and ``importworks._bootstrap_external``; these
namespaces let them test our locks and loaders instead of skipping.  Nothing
else should use them.
"""

from __future__ import annotations

from types import SimpleNamespace

from . import spec
from .engine import _importlib_bootstrap as engine
from .engine import locks
from .finders import compiled_in, loaders

bootstrap = SimpleNamespace(
    _ModuleLock=locks.ModuleLock,
    _DeadlockError=locks.DeadlockError,
    _blocking_on=locks._waiting_for,
    _module_locks=locks._module_locks,
    _get_module_lock=locks.get_module_lock,
    _find_and_load=engine._find_and_load,
    _gcd_import=engine.gcd_import,
    _handle_fromlist=engine.handle_fromlist,
    _find_spec=engine.find_spec_on_meta_path,
    _load=engine.load_spec,
    _load_unlocked=engine._load_new,
    _exec=engine.exec_in_place,
    _init_module_attrs=spec.init_module_attrs,
    _module_repr=spec.module_repr,
    _resolve_name=engine.resolve_name,
    module_from_spec=spec.module_from_spec,
    spec_from_loader=spec.spec_from_loader,
    ModuleSpec=spec.ModuleSpec,
    BuiltinImporter=compiled_in.BuiltinImporter,
    FrozenImporter=compiled_in.FrozenImporter,
)


def _install(_bootstrap_module: object) -> None:
    """Add the path-based finder and its folder hook, as importlib's _install does."""
    import sys

    from .finders.pathfinder import PathFinder, default_path_hook

    sys.path_hooks.append(default_path_hook())
    sys.meta_path.append(PathFinder)


bootstrap_external = SimpleNamespace(
    _install=_install,
    _get_supported_file_loaders=loaders.supported_file_loaders,
    spec_from_file_location=loaders.spec_from_file_location,
    SourceFileLoader=loaders.SourceFileLoader,
    SourcelessFileLoader=loaders.SourcelessFileLoader,
    ExtensionFileLoader=loaders.ExtensionFileLoader,
    NamespaceLoader=loaders.NamespaceLoader,
)
