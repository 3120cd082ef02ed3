"""The import algorithm: from a name to an initialised module in sys.modules.

This is the engine.  It knows nothing of files: finders on ``sys.meta_path``
turn a name into a :class:`ModuleSpec`, loaders create and execute modules.

Why the file has this name (and keeps it inside ``engine/``): the :mod:`warnings`
module attributes a warning to the first frame whose file name does not contain
both ``importlib`` and ``_bootstrap``.  Every frame that sits between an
``import`` statement and the module body it runs lives in this file (the loaders
inherit ``exec_module`` from :class:`LoaderBasics` here), so a warning raised by a
module body with ``stacklevel=2`` lands on the importing code, exactly as with
CPython.  Renaming the file, or moving a function that is on the stack while a
module body runs out of it, would attribute such warnings to importworks.
"""

from __future__ import annotations

import _imp
import os
import sys
import types
import warnings  # warned with stacklevel=1, as by CPython's import system: at its own line, not the importer's
from _thread import get_ident
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from opcode import opmap
from types import ModuleType
from typing import Any

from ..errors import (
    ERR_BEYOND_TOP_LEVEL,
    ERR_EMPTY_NAME,
    ERR_EXEC_NOT_IN_SYS_MODULES,
    ERR_FROMLIST_ITEM,
    ERR_GET_CODE_NONE,
    ERR_GLOBALS_NOT_DICT,
    ERR_HALTED,
    ERR_MISSING_LOADER,
    ERR_NAME_NOT_A_STRING,
    ERR_NAME_NOT_IN_GLOBALS,
    ERR_NAME_NOT_STR,
    ERR_NEGATIVE_LEVEL,
    ERR_NO_LOCATION,
    ERR_NO_PARENT_PACKAGE,
    ERR_NOT_COMPILED_IN,
    ERR_NOT_FOUND,
    ERR_NOT_PACKAGE,
    ERR_PACKAGE_NOT_STR,
    ERR_SHUTTING_DOWN,
    ERR_TOP_NOT_IN_SYS_MODULES,
)
from ..spec import ModuleSpec, init_module_attrs, module_from_spec, object_name, spec_from_loader
from .hooks import AfterExecHook, ImportObserver, LazyHook
from .locks import DeadlockError, acquire_for_wait, get_module_lock, global_import_lock, wait_for_stock_import
from .tracebacks import DropEntryFrame, register_engine_file, strip_engine_frames

register_engine_file(__file__)

__all__ = [
    "LoaderBasics",
    "__import__",
    "drop_load_module",
    "exec_frozen_module",
    "exec_in_place",
    "find_and_load_lazy_submodule",
    "find_spec_on_meta_path",
    "gcd_import",
    "handle_fromlist",
    "load_module_shim",
    "resolve_name",
]

_NEEDS_LOADING: Any = object()  # a sentinel for sys.modules.get(); Any, so that a module compared with it stays one
# Names whose body the engine is running right now, in any thread: those go
# the slow path, which waits on our lock.  A module whose spec says
# _initializing but is not in here is being executed by the stock machinery
# (an importlib.import_module taken before activate(), runpy, pkgutil): a cache
# hit waits on the stock lock for it, as the C import does.
_initializing: set[str] = set()
_PY312 = sys.version_info >= (3, 12)
# 3.14: a parent still initialising is waited for, a module dropped by a failed
# import in another thread is imported again; 3.15: parents are resolved before
# the child's lock is taken, and load_module() is gone
_PY314 = sys.version_info >= (3, 14)
_PY315 = sys.version_info >= (3, 15)
# 3.15 (PEP 810): the interpreter's lazy objects, and the call the C import
# makes after each load (see _import_new)
_LazyImportType: Any = getattr(types, "LazyImportType", None)
_set_lazy_attributes: Any = getattr(_imp, "_set_lazy_attributes", None)
_PACKAGE_MISMATCH_WARNING = DeprecationWarning if _PY312 else ImportWarning
_LOAD_MODULE_DEPRECATED = (
    "the load_module() method is deprecated and slated for removal in "
    f"Python {'3.15' if _PY314 else '3.12'}; use exec_module() instead"
)

# The extension points (importworks.engine.observers sets them; the layers above
# register there, and this module imports none of them).
# Observers of imports: the engine calls this one object, or nothing; None costs
# one global lookup per import.
_tracer: ImportObserver | None = None
# Lazy imports (importworks.lazy): asked first by __import__; returns a stand-in
# to bind instead of the module, or None to import now.  _lazy_listed_hook is
# only asked by modules that define __lazy_modules__ (PEP 810's "listed" mode),
# which keeps every other import statement as cheap as without it.
_lazy_hook: LazyHook | None = None
_lazy_listed_hook: LazyHook | None = None
# Modules handed to a hook right after their body runs under our loaders
# (importworks.wiring.interop introduces our classes to them): one dict lookup
# for every other module.
_after_exec: dict[str, AfterExecHook] = {}


# ---------------------------------------------------------------- names
def _package_of(globals: dict[str, Any]) -> str:
    """Work out the package a relative import is relative to (the C import's rules).

    ``__package__`` first (a warning when it disagrees with ``__spec__``), then
    ``__spec__.parent``, then, warned about, ``__name__`` (less its last part
    unless the module is a package).  The warnings stay in this function:
    their stacklevel counts its callers' frames.
    """
    package = globals.get("__package__")
    spec: Any = globals.get("__spec__")
    if package is None and spec is None:
        warnings.warn(
            "can't resolve package from __spec__ or __package__, falling back on __name__ and __path__",
            ImportWarning,
            stacklevel=4,
        )
        return _package_from_name(globals)
    if package is None:
        return _checked_str(spec.parent, "__spec__.parent must be a string")
    _checked_str(package, "package must be a string")
    if spec is not None and package != spec.parent:
        warnings.warn(
            f"__package__ != __spec__.parent ({package!r} != {spec.parent!r})", _PACKAGE_MISMATCH_WARNING, stacklevel=4
        )
    return package


def _checked_str(value: Any, error: str) -> str:
    """*value*, which must be a str: TypeError(*error*) otherwise."""
    if not isinstance(value, str):
        raise TypeError(error)
    return value


def _package_from_name(globals: dict[str, Any]) -> str:
    try:
        name = _checked_str(globals["__name__"], "__name__ must be a string")
    except KeyError:
        raise KeyError(ERR_NAME_NOT_IN_GLOBALS) from None
    return name if "__path__" in globals else name.rpartition(".")[0]


def resolve_name(name: str, package: str, level: int) -> str:
    """The absolute name of ``from .{level dots}name``, from within *package*.

    Level 1 is *package* itself, each further level one package up:
    ('mod', 'a.b.c', 2) -> 'a.b.mod'; going above the top is an ImportError.
    """
    parts = package.split(".")
    if level > len(parts):
        raise ImportError(ERR_BEYOND_TOP_LEVEL)
    base = ".".join(parts[: len(parts) - level + 1])
    return f"{base}.{name}" if name else base


def _check_gcd_arguments(name: Any, package: Any, level: int) -> None:
    """importlib.import_module's argument errors (the C import words some differently: _absolute_name)."""
    if not isinstance(name, str):
        raise TypeError(ERR_NAME_NOT_STR.format(type=type(name)))
    if level < 0:
        raise ValueError(ERR_NEGATIVE_LEVEL)
    if level == 0:
        if not name:
            raise ValueError(ERR_EMPTY_NAME)
        return
    if not isinstance(package, str):
        raise TypeError(ERR_PACKAGE_NOT_STR)
    if not package:
        raise ImportError(ERR_NO_PARENT_PACKAGE)


# ---------------------------------------------------------------- finding
def _legacy_spec(finder: Any, name: str, path: Any) -> ModuleSpec | None:
    # Python 3.10 and 3.11 still ask finders that predate find_spec()
    warnings.warn(
        f"{object_name(finder)}.find_spec() not found; falling back to find_module()", ImportWarning, stacklevel=1
    )
    loader = finder.find_module(name, path)
    if loader is None:
        return None
    return spec_from_loader(name, loader)


def find_spec_on_meta_path(name: str, path: Any, target: Any = None) -> ModuleSpec | None:
    """Ask each finder on sys.meta_path, in order, for *name*'s spec; None when none knows it."""
    finders = _meta_path_finders()
    # whether this is a reload: sys.modules says it reliably, a target need not
    is_reload = name in sys.modules
    for finder in finders:
        with global_import_lock():
            spec = _ask_finder(finder, name, path, target)
        if spec is not None:
            return spec if is_reload else _spec_in_use(name, spec)
    return None


def _meta_path_finders() -> list[Any]:
    meta_path = sys.meta_path
    if meta_path is None:
        raise ImportError(ERR_SHUTTING_DOWN)
    if not meta_path:
        warnings.warn("sys.meta_path is empty", ImportWarning, stacklevel=1)
    if _left_out:
        skipped = _left_out.get(get_ident())
        if skipped:
            return [finder for finder in meta_path if all(finder is not other for other in skipped)]
    # 3.14: a finder that edits sys.meta_path does not change the search under way
    return list(meta_path) if _PY314 else meta_path


# thread id -> finders this thread's imports skip for now (see leave_out_finders)
_left_out: dict[int, list[Any]] = {}


@contextmanager
def leave_out_finders(finders: list[Any]) -> Iterator[None]:
    """Imports made by this thread in the block do not ask *finders*; other threads' imports do.

    (importworks.lazy resolves a new finder's own lazy imports without it, which
    must not hide the finder from the rest of the program meanwhile.)
    """
    thread = get_ident()
    before = _left_out.get(thread)
    _left_out[thread] = [*(before or ()), *finders]
    try:
        yield
    finally:
        if before is None:
            del _left_out[thread]
        else:
            _left_out[thread] = before


def _ask_finder(finder: Any, name: str, path: Any, target: Any) -> ModuleSpec | None:
    try:
        find_spec = finder.find_spec
    except AttributeError:
        if _PY312 or not hasattr(finder, "find_module"):
            return None  # not a finder (any more): skipped
        return _legacy_spec(finder, name, path)
    return find_spec(name, path, target)


def _spec_in_use(name: str, found: ModuleSpec) -> ModuleSpec:
    """*found*, unless importing a parent meanwhile imported *name*: then that module's spec."""
    module = sys.modules.get(name, _NEEDS_LOADING)
    if module is _NEEDS_LOADING:
        return found
    existing = getattr(module, "__spec__", None)
    return found if existing is None else existing


# ---------------------------------------------------------------- loading
def _load_backward_compatible(spec: ModuleSpec) -> ModuleType:
    """Load through a loader that only has load_module() (PEP 302), then fill in what it left unset."""
    name = spec.name
    try:
        spec.loader.load_module(name)  # type: ignore[union-attr]
    finally:
        if name in sys.modules:  # to the end of sys.modules, where a fresh import puts it
            sys.modules[name] = sys.modules.pop(name)
    module = sys.modules[name]
    for attribute, value_for in _PEP302_DEFAULTS:
        if getattr(module, attribute, None) is None:
            try:
                setattr(module, attribute, value_for(spec, module))
            except AttributeError:
                pass  # a module that refuses the attribute is left as it is
    return module


# what a PEP 302 loader may leave unset, and what the import system sets then
_PEP302_DEFAULTS: tuple[tuple[str, Any], ...] = (
    ("__loader__", lambda spec, module: spec.loader),
    ("__package__", lambda spec, module: spec.name if hasattr(module, "__path__") else spec.name.rpartition(".")[0]),
    ("__spec__", lambda spec, module: spec),
)


class _Initialising:
    """While a new module's body runs: its spec and _initializing say so; a failure unregisters it."""

    __slots__ = ("spec",)

    def __init__(self, spec: ModuleSpec) -> None:
        self.spec = spec

    def __enter__(self) -> None:
        self.spec._initializing = True  # type: ignore[attr-defined]  # CPython's own flag, read by the module type
        _initializing.add(self.spec.name)

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is not None:
            sys.modules.pop(self.spec.name, None)  # no half-run module stays importable
        self.spec._initializing = False  # type: ignore[attr-defined]
        _initializing.discard(self.spec.name)


def _to_the_end(name: str) -> ModuleType:
    """Move *name* to the end of sys.modules, where a fresh import puts it; the module it holds.

    Shutdown clears modules in that order, and a body may have put another
    object in its own place: that one is what the import returns.
    """
    module: ModuleType = sys.modules.pop(name)
    sys.modules[name] = module
    return module


def _lacks_exec_module(loader: Any) -> bool:
    """A PEP 302 loader, with load_module() only: 3.10-3.14 still run it (ImportWarning); 3.15 does not."""
    if loader is None or _PY315 or hasattr(loader, "exec_module"):
        return False
    warnings.warn(
        f"{object_name(loader)}.exec_module() not found; falling back to load_module()", ImportWarning, stacklevel=1
    )
    return True


def _load_new(spec: ModuleSpec) -> ModuleType:
    """Create, register and execute the module of *spec*; unregister on failure."""
    if _lacks_exec_module(spec.loader):
        return _load_backward_compatible(spec)
    module = module_from_spec(spec)
    tracer = _tracer
    if tracer is not None:
        tracer.created(spec.name)
    with _Initialising(spec):
        sys.modules[spec.name] = module
        # exec_module() is called from this very frame: exec_extension_module
        # tells the import's own call apart by this function's code
        if spec.loader is not None:
            spec.loader.exec_module(module)
        elif spec.submodule_search_locations is None:
            raise ImportError(ERR_MISSING_LOADER, name=spec.name)
        return _to_the_end(spec.name)


def load_spec(spec: ModuleSpec) -> ModuleType:
    """Load *spec* under its module lock."""
    with get_module_lock(spec.name):
        return _load_new(spec)


def exec_in_place(spec: ModuleSpec, module: ModuleType) -> ModuleType:
    """Execute *spec* again inside the existing *module* (the heart of reload).

    The module object stays the same, so every reference to it sees the new
    code.  Whatever happens, the module then moves to the end of sys.modules
    (see _to_the_end); the one returned is what sys.modules holds.
    """
    name = spec.name
    with get_module_lock(name):
        if sys.modules.get(name) is not module:
            raise ImportError(ERR_EXEC_NOT_IN_SYS_MODULES.format(name=name), name=name)
        try:
            _execute_again(spec, module)
        finally:
            module = _to_the_end(name)
    return module


def _execute_again(spec: ModuleSpec, module: ModuleType) -> None:
    """Refresh *module*'s import attributes from *spec*, then run its code, if it has any, in it."""
    loader = spec.loader
    if loader is None and spec.submodule_search_locations is None:
        raise ImportError(ERR_MISSING_LOADER, name=spec.name)  # before anything of the module changes
    init_module_attrs(spec, module, override=True)
    if loader is None:
        pass  # a namespace package: new attributes, no code to run
    elif _lacks_exec_module(loader):
        loader.load_module(spec.name)
    else:
        loader.exec_module(module)


def load_module_shim(loader: Any, fullname: str, spec: ModuleSpec | None = None) -> ModuleType:
    """The deprecated ``load_module()`` of our loaders, built on exec_module()."""
    warnings.warn(_LOAD_MODULE_DEPRECATED, DeprecationWarning, stacklevel=3)
    if spec is None:
        spec = spec_from_loader(fullname, loader)
        if spec is None:  # a file loader that cannot say where its file is
            raise ImportError(ERR_NO_LOCATION.format(loader=loader, name=fullname), name=fullname)
    if fullname in sys.modules:
        exec_in_place(spec, sys.modules[fullname])
        return sys.modules[fullname]
    return load_spec(spec)


def drop_load_module(*classes: type) -> None:
    """Take load_module() off *classes* where the interpreter no longer has it (3.15)."""
    if _PY315:
        for cls in classes:
            if "load_module" in vars(cls):
                delattr(cls, "load_module")


class LoaderBasics:
    """exec_module() for loaders that can produce a code object with get_code().

    It lives here so that its frame, which is on the stack while a module body
    runs, is recognised by :mod:`warnings` as part of the import system.
    """

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        """None: source and bytecode modules are plain modules, which the import system makes itself."""
        return None

    def exec_module(self, module: ModuleType) -> None:
        """Execute the module's code in its namespace."""
        code = self.get_code(module.__name__)  # type: ignore[attr-defined]
        if code is None:
            raise ImportError(
                ERR_GET_CODE_NONE.format(name=module.__name__),
                name=module.__name__,
                path=getattr(module, "__file__", None),
            )
        tracer = _tracer
        if tracer is not None:
            tracer.loaded(module.__name__)
        exec(code, module.__dict__)
        hook = _after_exec.get(module.__name__)
        if hook is not None:
            hook(module)

    def load_module(self, fullname: str) -> ModuleType:
        """Deprecated: use exec_module()."""
        return load_module_shim(self, fullname)

    def is_package(self, fullname: str) -> bool:
        """A module is a package when its file is called __init__."""
        filename = os.path.basename(self.get_filename(fullname))  # type: ignore[attr-defined]
        return filename.rsplit(".", 1)[0] == "__init__" and fullname.rpartition(".")[2] != "__init__"


drop_load_module(LoaderBasics)


# C extensions and built-in modules may warn while they initialise, with a fixed
# stacklevel counted through the stock import's frames.  Under our engine the
# frames above these functions already number as many as the stock ones (our
# __import__ frame stands in for the stock _call_with_frames_removed); when the
# stock machinery called the loader (install()), _through adds the missing one.
def _through(function: Any, argument: Any) -> Any:
    return function(argument)


def create_extension_module(self: Any, spec: ModuleSpec) -> ModuleType:
    """ExtensionFileLoader.create_module."""
    import _imp

    if sys._getframe(1).f_code is _MODULE_FROM_SPEC_CODE:
        return _imp.create_dynamic(spec)
    return _through(_imp.create_dynamic, spec)


def exec_extension_module(self: Any, module: ModuleType) -> None:
    """ExtensionFileLoader.exec_module."""
    import _imp

    if sys._getframe(1).f_code is _LOAD_NEW_CODE:
        _imp.exec_dynamic(module)
    else:
        _through(_imp.exec_dynamic, module)


def create_builtin_module(spec: ModuleSpec) -> ModuleType:
    """BuiltinImporter.create_module."""
    import _imp

    if spec.name not in sys.builtin_module_names:
        raise ImportError(ERR_NOT_COMPILED_IN.format(name=spec.name, kind="built-in"), name=spec.name)
    if sys._getframe(1).f_code is _MODULE_FROM_SPEC_CODE:
        return _imp.create_builtin(spec)
    return _through(_imp.create_builtin, spec)


def exec_builtin_module(module: ModuleType) -> None:
    """BuiltinImporter.exec_module."""
    import _imp

    if sys._getframe(1).f_code is _LOAD_NEW_CODE:
        _imp.exec_builtin(module)
    else:
        _through(_imp.exec_builtin, module)


def exec_frozen_module(module: ModuleType) -> None:
    """Run a frozen module's code (FrozenImporter.exec_module)."""
    import _imp

    name = module.__spec__.name if module.__spec__ is not None else module.__name__
    if not _imp.is_frozen(name):
        raise ImportError(ERR_NOT_COMPILED_IN.format(name=name, kind="frozen"), name=name)
    code = _imp.get_frozen_object(name)
    exec(code, module.__dict__)


# ---------------------------------------------------------------- the import
def _import_new(name: str) -> ModuleType:
    """Import *name*, whose lock the caller holds: its package first, then find and load it."""
    parent, _, child = name.rpartition(".")
    if not parent:
        return _publish(name, _find_and_run(name, None, None))
    where = _package_for(name, parent)
    if where is None:
        return sys.modules[name]  # importing the package imported this module too
    module = _find_and_run(name, *where)
    if not (_LazyImportType is not None and _keeps_placeholder(sys.modules[parent], name, child)):
        try:
            setattr(sys.modules[parent], child, module)
        except AttributeError:
            warnings.warn(
                f"Cannot set an attribute on {parent!r} for child module {child!r}", ImportWarning, stacklevel=1
            )
    return _publish(name, module)


def _package_for(name: str, parent: str) -> tuple[Any, Any] | None:
    """Where to search for *name*: (the __path__ of *parent*, imported if need be; its spec).

    None when importing the package imported *name* as well.  3.14+ also waits
    for a package another thread is still initialising.
    """
    if parent not in sys.modules:
        gcd_import(parent)  # (3.15: only when another thread's import of it failed)
    if _imported_meanwhile(name):
        return None
    parent_module = sys.modules[parent]
    try:
        path = parent_module.__path__
    except AttributeError:
        raise ModuleNotFoundError(ERR_NOT_PACKAGE.format(name=name, parent=parent), name=name) from None
    parent_spec = getattr(parent_module, "__spec__", None)
    if _PY314 and getattr(parent_spec, "_initializing", False):
        gcd_import(parent)  # another thread runs the package's body: wait for it
        if _imported_meanwhile(name):
            return None
    return path, parent_spec


def _imported_meanwhile(name: str) -> bool:
    # before 3.14 a None there counts as imported (the caller returns it); 3.14+ looks again
    return sys.modules.get(name) is not None if _PY314 else name in sys.modules


def _find_and_run(name: str, path: Any, parent_spec: Any) -> ModuleType:
    """Ask the finders for *name* (in *path*) and load what they found, telling the tracer each step."""
    tracer = _tracer
    if tracer is not None:
        tracer.begin(name)
    # a submodule listed while it loads lets the module type say "cannot
    # access submodule ... (most likely due to a circular import)"
    loading = getattr(parent_spec, "_uninitialized_submodules", None)
    try:
        spec = find_spec_on_meta_path(name, path)
        if spec is None:
            raise ModuleNotFoundError(ERR_NOT_FOUND.format(name=name), name=name)
        if tracer is not None:
            tracer.found(name, spec)
        if loading is None:
            module = _load_new(spec)
        else:
            loading.append(name.rpartition(".")[2])
            try:
                module = _load_new(spec)
            finally:
                loading.pop()
    except BaseException as exc:
        if tracer is not None:
            tracer.end(name, None, exc)
        raise
    if tracer is not None:
        tracer.end(name, module, None)
    return module


def _publish(name: str, module: ModuleType) -> ModuleType:
    """3.15: what the C import does after each load and a custom __import__ must do itself.

    The name leaves sys.lazy_modules and the registry of pending lazy submodules.
    """
    if _set_lazy_attributes is not None:
        try:
            _set_lazy_attributes(module, name)
        except Exception as exc:  # as CPython's own import: a warning, not an error
            warnings.warn(f"Cannot set lazy attributes on {name!r}: {exc!r}", ImportWarning, stacklevel=1)
    return module


def _keeps_placeholder(parent_module: Any, name: str, child: str) -> bool:
    """3.15: leave a lazy ``child`` binding of the parent in place while the interpreter resolves it.

    ``from .child import child`` run lazily in a package binds a placeholder
    in the package.  When that placeholder is resolved, the interpreter imports
    ``pkg.child`` through ``__import__`` and then stores the function in place
    of the placeholder, but only if the placeholder is still there; with its
    own import it also undoes the parent's ``pkg.child = module``, which it
    leaves to a custom ``__import__``.  So the module is not bound over a
    placeholder when this import is that resolution: a call of __import__
    with ``pkg.child`` and a fromlist, from somewhere other than an import
    statement.  (markdown_it's layout, used by rich.)
    """
    namespace = getattr(parent_module, "__dict__", None)
    if type(namespace) is not dict or type(namespace.get(child)) is not _LazyImportType:
        return False
    frame: Any = sys._getframe(1)
    while frame is not None and frame.f_code is not _IMPORT_CODE:
        frame = frame.f_back
    if frame is None:
        return False
    arguments = frame.f_locals
    if arguments.get("name") != name or not arguments.get("fromlist") or arguments.get("level"):
        return False
    caller = frame.f_back
    return caller is None or caller.f_code.co_code[caller.f_lasti] != _IMPORT_NAME


def _is_initializing(module: Any) -> bool:
    return getattr(getattr(module, "__spec__", None), "_initializing", False)


def _load_under_lock(name: str) -> tuple[bool, Any]:
    """Import *name* under its module lock unless another thread did first: (imported here, the module).

    A concurrent circular import (DeadlockError) takes the partial module when
    there is one; otherwise the error stands.
    """
    lock = get_module_lock(name)
    try:
        lock.acquire()
    except DeadlockError:
        module = sys.modules.get(name, _NEEDS_LOADING)
        if module is _NEEDS_LOADING:
            raise
        return False, module
    try:
        module = sys.modules.get(name, _NEEDS_LOADING)
        if module is _NEEDS_LOADING:
            return True, _import_new(name)
        return False, module
    finally:
        lock.release()


def _find_and_load(name: str) -> ModuleType:
    found = sys.modules.get(name)
    if found is not None and name not in _initializing and _is_initializing(found):
        wait_for_stock_import(name)  # the stock machinery runs its body (see _initializing)
    if _PY315:
        return _find_and_load_parents_first(name)
    module = sys.modules.get(name, _NEEDS_LOADING)
    if module is _NEEDS_LOADING:
        loaded, module = _load_under_lock(name)
        if loaded:
            return module
    elif _PY314 and not _is_initializing(module) and sys.modules.get(name) is not module:
        return _find_and_load(name)  # a failed import in another thread removed it: try again
    if module is None:
        raise ModuleNotFoundError(ERR_HALTED.format(name=name), name=name)
    if _is_initializing(module):
        if not _PY314:
            acquire_for_wait(name)  # the module as it is then, even one a failed import dropped
        elif _wait_for_initialising(name, module) is _NEEDS_LOADING:
            return _find_and_load(name)  # that import failed: import it again
    return module


def _resolve_parents(name: str) -> None:
    """Wait for, or import, *name*'s packages before its own lock is taken (3.15).

    No thread then holds a submodule's lock while it waits for a parent, which
    is what made a package whose body imports its submodules deadlock against
    a thread importing one of them directly.  Ancestors above the parent are
    waited for when another thread initialises them, never imported.
    """
    parts = name.split(".")
    for end in range(1, len(parts) - 1):
        ancestor = ".".join(parts[:end])
        if _is_initializing(sys.modules.get(ancestor)):
            acquire_for_wait(ancestor)
    parent = name.rpartition(".")[0]
    if parent:
        module = sys.modules.get(parent, _NEEDS_LOADING)
        if module is _NEEDS_LOADING or _is_initializing(module):
            gcd_import(parent)


def _find_and_load_parents_first(name: str) -> ModuleType:
    """_find_and_load on 3.15: parents resolved first, an unfinished module waited for."""
    module = sys.modules.get(name, _NEEDS_LOADING)
    if module is not _NEEDS_LOADING and not _is_initializing(module):
        if sys.modules.get(name) is not module:
            return _find_and_load_parents_first(name)  # removed by a failed import meanwhile
    else:
        if module is not _NEEDS_LOADING:
            module = _wait_for_initialising(name, module)
        if module is _NEEDS_LOADING:
            _resolve_parents(name)
            loaded, module = _load_under_lock(name)
            if loaded:
                return module
    if module is None:
        raise ModuleNotFoundError(ERR_HALTED.format(name=name), name=name)
    return module


def _wait_for_initialising(name: str, module: Any) -> Any:
    """Wait for the thread running *name*'s body; what sys.modules holds then.

    A cross-thread cycle keeps the partial module.  _NEEDS_LOADING means that
    thread's import failed: it is looked up under the lock, so no other
    thread can have started loading it again in between.
    """
    lock = get_module_lock(name)
    try:
        lock.acquire()
    except DeadlockError:
        return module
    try:
        return sys.modules.get(name, _NEEDS_LOADING)
    finally:
        lock.release()


def find_and_load_lazy_submodule(name: str, import_: Any = None) -> ModuleType | None:
    """3.15: import ``pkg.child`` for a lazy import pending on ``pkg``, or None if there is no such module.

    The interpreter calls ``importlib._bootstrap._find_and_load_lazy_submodule``
    when ``pkg.child`` is read from a package whose lazy submodule it has to
    import itself (one with a module ``__getattr__``); ``activate()`` puts
    this in its place so that import is the engine's.  A parent that is not a
    package, or no finder knowing the name, means "no such submodule": the
    attribute lookup then goes on as usual.
    """
    try:
        return _find_and_load(name)
    except ModuleNotFoundError as exc:
        if exc.name == name and sys.modules.get(name, _NEEDS_LOADING) is not None:
            return None
        raise


def gcd_import(name: str, package: str | None = None, level: int = 0) -> ModuleType:
    """Import and return the module *name*: the common core of every entry point."""
    _check_gcd_arguments(name, package, level)
    if level > 0:
        name = resolve_name(name, package, level)  # type: ignore[arg-type]
    return _find_and_load(name)


def handle_fromlist(module: ModuleType, fromlist: Iterable[Any], *, recursive: bool = False) -> ModuleType:
    """Import the submodules ``from package import a, b`` names that are not attributes yet.

    ``*`` stands for the package's ``__all__`` (one level: a ``*`` inside
    ``__all__`` is ignored).  *recursive* (the name the stdlib's tests pass)
    says *fromlist* is ``__all__`` already.
    """
    for name in _names_to_import(module, fromlist, recursive):
        _import_if_present(f"{module.__name__}.{name}")
    return module


def _names_to_import(module: ModuleType, fromlist: Iterable[Any], in_all: bool) -> Iterator[str]:
    """The from-list's names *module* lacks, ``*`` expanded, each checked as it comes.

    A generator: importing one submodule may bind the next name, and a bad
    item is a TypeError only once the names before it are imported.
    lazy._proxy knows this function's code (the probe below is not a use).
    """
    for item in fromlist:
        if not isinstance(item, str):
            where = f"{module.__name__}.__all__" if in_all else "``from list''"
            raise TypeError(ERR_FROMLIST_ITEM.format(where=where, type=type(item).__name__))
        if item != "*":
            if not hasattr(module, item):
                yield item
        elif not in_all and hasattr(module, "__all__"):
            yield from _names_to_import(module, module.__all__, True)


def _import_if_present(fullname: str) -> None:
    """Import a submodule a from-list names; one that does not exist is no error here.

    The name may be an attribute the package sets later; if it is not,
    IMPORT_FROM reports it.  A missing module it imports is an error, and so
    is a submodule blocked with ``sys.modules[name] = None``.
    """
    try:
        gcd_import(fullname)
    except ModuleNotFoundError as exc:
        blocked = sys.modules.get(fullname, _NEEDS_LOADING) is None
        if blocked or exc.name != fullname:
            raise


def _absolute_name(name: Any, globals: Any, level: int) -> str:
    """Check __import__'s arguments and resolve a relative name (the C import's rules)."""
    if not isinstance(name, str):
        raise TypeError(ERR_NAME_NOT_A_STRING)
    if level < 0:
        raise ValueError(ERR_NEGATIVE_LEVEL)
    if level > 0:
        if globals is None:
            raise KeyError(ERR_NAME_NOT_IN_GLOBALS)
        if not isinstance(globals, dict):
            raise TypeError(ERR_GLOBALS_NOT_DICT)
        package = _package_of(globals)
        if not package:
            raise ImportError(ERR_NO_PARENT_PACKAGE)
        return resolve_name(name, package, level)
    if not name:
        raise ValueError(ERR_EMPTY_NAME)
    return name


def _is_package(module: Any) -> bool:
    """hasattr(module, '__path__'), without building an AttributeError for plain modules."""
    if type(module) is ModuleType:
        namespace = module.__dict__
        if "__path__" in namespace:
            return True
        if "__getattr__" not in namespace:
            return False
    return hasattr(module, "__path__")


def __import__(name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0) -> Any:
    """Import a module: what the ``import`` statement calls (it binds a module, or the lazy hook's stand-in)."""
    if not level:
        # cache hits, the C import's fast path: a module in sys.modules that no
        # thread is still initialising goes straight back (a lazy import of it
        # would bind the module itself, so the lazy hooks need not be asked)
        try:
            module = sys.modules[name]
        except KeyError:
            module = None
        if module is not None and name not in _initializing:
            try:  # _is_initializing(module), inline: this is the hottest path there is
                busy = module.__spec__._initializing  # type: ignore[union-attr]  # None: AttributeError too
            except AttributeError:
                busy = False
            if busy:
                wait_for_stock_import(name)
            if not fromlist:
                if "." not in name:
                    return module
                top = name.partition(".")[0]
                top_module = sys.modules.get(top)
                if top_module is not None and top not in _initializing:
                    try:
                        busy = top_module.__spec__._initializing  # type: ignore[union-attr]
                    except AttributeError:
                        busy = False
                    if busy:
                        wait_for_stock_import(top)
                    return top_module
            elif not _is_package(module):
                return module
            elif _lazy_hook is None and (
                _lazy_listed_hook is None or type(globals) is not dict or "__lazy_modules__" not in globals
            ):
                try:
                    return handle_fromlist(module, fromlist)
                except BaseException as exc:  # a submodule's failure, shown without our frames
                    strip_engine_frames(exc)
                    with _DROP_ENTRY_FRAME:
                        raise exc
    if _lazy_hook is not None:
        deferred = _lazy_hook(name, globals, fromlist, level)
        if deferred is not None:
            return deferred
    elif _lazy_listed_hook is not None and type(globals) is dict and "__lazy_modules__" in globals:
        deferred = _lazy_listed_hook(name, globals, fromlist, level)
        if deferred is not None:
            return deferred
    # The rest is one frame, like the C import, so that C extensions warning at
    # init with a fixed stacklevel reach the importing code (see exec_extension_module).
    try:
        abs_name = _absolute_name(name, globals, level)
        module = _find_and_load(abs_name)
        if not fromlist:
            dot = name.find(".")
            if dot < 0 or (level and not name):
                return module
            if level == 0:
                return _find_and_load(name[:dot])
            top = abs_name[: len(abs_name) - (len(name) - dot)]
            try:
                return sys.modules[top]
            except KeyError:
                raise KeyError(ERR_TOP_NOT_IN_SYS_MODULES.format(top=top)) from None
        if _is_package(module):
            return handle_fromlist(module, fromlist)
        return module
    except BaseException as exc:
        strip_engine_frames(exc)
        with _DROP_ENTRY_FRAME:
            raise exc


# takes __import__'s own frame off the tracebacks it raises (tracebacks.py)
_DROP_ENTRY_FRAME = DropEntryFrame(__import__.__code__)
_IMPORT_CODE = __import__.__code__
_IMPORT_NAME = opmap["IMPORT_NAME"]
_LOAD_NEW_CODE = _load_new.__code__
# the frame that asks hasattr() of a package for a from-list (importworks.lazy._proxy)
FROMLIST_PROBE_CODE = _names_to_import.__code__
_MODULE_FROM_SPEC_CODE = module_from_spec.__code__
