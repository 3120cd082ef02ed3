"""Lazy imports: PEP 810's semantics on Python 3.10-3.14, through the importworks engine.

    import importworks
    from importworks import lazy

    lazy.enable("normal")        # or "all", like ``-X lazy_imports``; "none" is ours
    with importworks.activate():
        import app               # app's ``__lazy_modules__`` imports bind lazily

* ``__lazy_modules__ = ["json", "pkg.sub"]`` in a module makes its module-level
  ``import json``, ``import pkg.sub`` and ``from pkg.sub import name`` bind lazy
  objects (PEP 810's compatibility form); mode ``"all"`` does that for every
  eligible import.  Imports in functions, class bodies, ``try`` (and ``with``)
  blocks and ``*`` imports stay eager.
* :func:`set_lazy_filter` mirrors ``sys.set_lazy_imports_filter``: asked with
  ``(importer, name, fromlist)`` for each import about to be made lazy; False
  keeps it eager.
* :func:`lazy_import` is the explicit form; it works without ``activate()``.

The engine asks :func:`_hook` first for every import statement (see
``importworks.engine.observers.set_lazy_hook``); it returns the object the statement
binds, or None to import now.  docs/lazy.md says what a lazy object cannot hide.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

from .. import _lazy_native as _native
from ..engine import _importlib_bootstrap as engine
from ..engine import observers
from ..errors import ERR_LAZY_MODE, LazyImportError
from . import _native_rules, _pending
from . import report as _report
from ._proxy import (
    Binding,
    LazyObject,
    adopt,
    binding_of,
    hold,
    is_resolved,
)
from ._proxy import is_lazy as _proxy_is_lazy
from ._proxy import resolve as _proxy_resolve
from ._site import (
    bound_names,
    caught_names,
    import_as_depth,
    imported_for_side_effect,
    may_be_lazy,
    top_level_reads,
)
from .report import LazyReport, record_lazy_imports
from .usage import UnusedImport, format_unused, probe_usage, unused_imports

__all__ = [
    "MODES",
    "LazyImportError",
    "LazyObject",
    "LazyReport",
    "UnusedImport",
    "disable",
    "enable",
    "format_unused",
    "get_lazy_filter",
    "get_lazy_mode",
    "is_lazy",
    "is_resolved",
    "lazy_import",
    "lazy_modules",
    "probe_usage",
    "record_lazy_imports",
    "resolve",
    "set_lazy_filter",
    "unused_imports",
]

# 3.15+: the interpreter's own lazy imports (importworks._lazy_native); proxies on 3.10-3.14
NATIVE = hasattr(sys, "set_lazy_imports")
lazy_modules = _native.lazy_modules if NATIVE else _pending.lazy_modules


def is_lazy(obj: Any) -> bool:
    """Is *obj* a lazy binding: one of our proxies, or on 3.15+ the interpreter's ``types.LazyImportType``?"""
    return _native.is_lazy(obj) or _proxy_is_lazy(obj)


def resolve(obj: Any) -> Any:
    """Return the real object behind a lazy binding (importing it now); other objects as they are."""
    if _native.is_lazy(obj):
        return obj.resolve()
    return _proxy_resolve(obj)


_pending._adopt.append(adopt)
_pending._is_lazy.append(is_lazy)


def _resolve_all(namespace: dict[str, Any]) -> None:
    for key, value in list(namespace.items()):
        try:  # an error is raised again where the binding is used
            if type(value) is LazyObject and not is_resolved(value):
                resolve(value)
            elif _native.is_lazy(value):
                real = value.resolve()
                if namespace.get(key) is value:
                    namespace[key] = real
        except Exception:
            pass


_pending._resolve_all.append(_resolve_all)

LazyFilter = Callable[[str, str, tuple[str, ...] | None], bool]

MODES = ("normal", "all", "none")
# "listed", this package's first name for "normal", is still accepted
_ALIASES = {"listed": "normal"}

_mode: str | None = None  # None: not enabled (lazy_import() still defers)
_filter: LazyFilter | None = None
_dotted_made = False  # some ``import a.b`` bound ``a`` lazily: see _settle


def enable(mode: str = "normal") -> str | None:
    """Turn lazy imports on in *mode*; return the mode before (None: was off).

    As ``sys.set_lazy_imports`` in 3.15: ``"normal"``, only names in the
    importer's ``__lazy_modules__`` (and :func:`lazy_import`); ``"all"``, every
    eligible import.  Ours: ``"none"``, nothing, not even :func:`lazy_import`
    (as ``-X lazy_imports=none``); ``"listed"`` is an alias of ``"normal"``.
    Import statements only reach the hook while ``importworks.activate()`` is on.

    Raises:
        ValueError: *mode* is not one of :data:`MODES` (or ``"listed"``).
    """
    mode = _ALIASES.get(mode, mode)
    if mode not in MODES:
        raise ValueError(ERR_LAZY_MODE.format(mode=mode))
    if NATIVE:
        previous = _native.enable(mode)
        _native_rules.turn(mode == "all")
        return previous
    return _enable_proxies(mode)


def _enable_proxies(mode: str) -> str | None:
    """Our own lazy imports (proxies made by the engine's hook), on any version.

    3.10-3.14; on 3.15+ :func:`enable` uses the interpreter's lazy objects.
    """
    global _mode
    previous, _mode = _mode, mode
    observers.set_lazy_hook(None if mode == "none" else _hook, listed_only=mode == "normal")
    observers.remove_observer(_pending.when_imported)
    observers.set_keep_parent_binding(None)
    if mode != "none":
        _pending.remember_finders()
        observers.add_observer(_pending.when_imported)
        observers.set_keep_parent_binding(_pending.keeps_parent_binding)
    return previous


def sync_native_rules() -> None:
    """3.15+: after activate()'s uninstall put the interpreter's filter back, follow it (see _native_rules)."""
    if NATIVE:
        _native_rules.sync()


def disable() -> str | None:
    """Stop making import statements lazy; return the mode before (None: was off)."""
    global _mode
    if NATIVE and _mode is None:
        _native_rules.turn(False)
        return _native.disable()
    previous, _mode = _mode, None
    observers.set_lazy_hook(None)
    observers.remove_observer(_pending.when_imported)
    observers.set_keep_parent_binding(None)
    return previous


def get_lazy_mode() -> str | None:
    """The current mode, or None when lazy imports were never enabled (or disabled)."""
    if NATIVE and _mode is None:
        return _native.get_mode()
    return _mode


def set_lazy_filter(func: LazyFilter | None) -> None:
    """Have ``func(importer, name, fromlist) -> bool`` veto lazy imports (None: no filter).

    *importer* is the importing module's ``__name__``, *name* the absolute name
    of the imported module, *fromlist* None or a tuple of the names a
    ``from`` import takes.  It is asked only for imports about to be made lazy.
    """
    global _filter
    if func is not None and not callable(func):
        raise TypeError(f"the lazy imports filter must be callable or None, not {type(func).__name__}")
    if NATIVE:
        _native.set_filter(func)  # the interpreter's filter: asked with or without activate()
        return
    _filter = func


def get_lazy_filter() -> LazyFilter | None:
    """The filter :func:`set_lazy_filter` installed, or None."""
    if NATIVE:
        return _native.get_filter()
    return _filter


def lazy_import(name: str, package: str | None = None) -> Any:
    """Return a lazy binding of module *name*: imported on first use.

    A module already in sys.modules comes back as it is; in mode ``"none"`` or
    when the filter says no, the module is imported now.  Bound to a global of
    the caller, the binding is replaced there by the module on first use.
    """
    from ..engine.api import resolve_name

    fullname = resolve_name(name, package)
    caller = sys._getframe(1)
    if NATIVE:
        return _native.lazy_import(fullname, caller)
    importer = caller.f_globals.get("__name__", "")
    if _mode == "none" or (_filter is not None and not _filter(importer, fullname, None)):
        return importlib.import_module(fullname)
    if _nothing_to_defer(fullname, None):
        return sys.modules[fullname]
    where = (caller.f_code.co_filename, caller.f_lineno, caller.f_code.co_name)
    if caller.f_code.co_name == "<module>":
        hold(caller.f_globals)
    _pending.record(fullname, None)
    return LazyObject(Binding(fullname, None, caller.f_globals, where))


# ------------------------------------------------------------------ the hook
def _hook(name: str, globals: Any, fromlist: Any, level: int) -> Any:
    """The engine asks this first for every import statement: a lazy object, or None."""
    if type(globals) is not dict:
        return None
    if _mode == "all":
        importer = globals.get("__name__")
        if type(importer) is str and importer.startswith("importworks"):
            return None  # importworks' own imports are never lazy (a second importworks.lazy would run)
        listed = None
    else:
        listed = globals.get("__lazy_modules__")
        if listed is None:
            return None
    lazy = _decide(name, globals, fromlist, level, listed)
    if lazy is None and _dotted_made and not fromlist and not level:
        _settle(globals, name)
    return lazy


def _decide(name: str, globals: dict[str, Any], fromlist: Any, level: int, listed: Any) -> Any:
    if fromlist and "*" in fromlist:
        return None
    fullname = _pending.absolute_name(name, globals, level)
    if fullname is None or fullname == "__future__":
        return None
    if listed is not None and fullname not in listed:
        return None
    if _nothing_to_defer(fullname, fromlist):
        return None
    frame = _importer_frame()
    if frame is None or not may_be_lazy(frame, globals):
        return None
    code = frame.f_code
    fromlist = tuple(fromlist) if fromlist else None
    rule = _eager_rule(code, frame, fromlist, listed is None)
    if rule is None and listed is None:
        rule = _side_effect_rule(code, frame, globals, fullname, fromlist)
    if rule is None and _filter is not None and not _filter(globals.get("__name__", ""), fullname, fromlist):
        rule = "the filter said no"
    if rule is not None:
        if _report.active:
            _report.kept_eager(fullname, rule, code.co_filename, frame.f_lineno, fromlist)
        return None
    where = (code.co_filename, frame.f_lineno, code.co_name, _pending.statement(globals, fullname))
    hold(globals)
    _pending.record(fullname, fromlist)
    if "." in fullname:
        _bind_in_parent(fullname, globals, where)
    if fromlist:
        return _Source(fullname, 0, globals, where)
    if "." not in fullname:
        return LazyObject(Binding(fullname, None, globals, where))
    depth = import_as_depth(frame)
    if depth:
        return _Source(fullname, depth, globals, where)
    return _dotted(fullname, globals, where)


def _eager_rule(code: Any, frame: Any, fromlist: tuple[str, ...] | None, every: bool) -> str | None:
    """Which of our rules keeps this import eager (docs/lazy.md, "What is lazy"), or None."""
    if fromlist and not caught_names(code).isdisjoint(fromlist):
        return "a name it takes is caught in except or raised bare"  # C checks the real class
    if every and fromlist and any(_is_constant(item) for item in fromlist):
        return "a constant (C code checks its type)"
    if every and fromlist and any(item.endswith("Warning") for item in fromlist):
        # warnings.warn(category=...) and the filters match the class in C, where a proxy is not it
        return "a warning class (the warnings machinery matches it in C)"
    names = bound_names(frame)
    if not top_level_reads(code).isdisjoint(names):
        return "the module body reads the name"  # see _site.top_level_reads
    return None


def _is_constant(name: str) -> bool:
    """A name spelled like a constant: ``__version__``, or upper case words joined by ``_``.

    ``DEPRECATION_MSG_PREFIX``, say.
    """
    if name.startswith("__") and name.endswith("__"):
        return True  # module metadata: a str or a tuple (coverage hands __version__ to sqlite3)
    return name.isupper() and "_" in name.strip("_")


def _side_effect_rule(code: Any, frame: Any, globals: dict[str, Any], fullname: str, fromlist: Any) -> str | None:
    """Mode "all": an import that binds a module the importer never names again is there for its side effect."""
    if imported_for_side_effect(code, frame, globals, fullname, fromlist):
        return _report.RULE_SIDE_EFFECT
    return None


_IMPORT_CODE = engine.__import__.__code__


def _importer_frame() -> Any:
    """The frame running the import statement: the one that called the engine's __import__.

    Found by walking up rather than at a fixed depth, because the hook may be
    reached through a stand-in (activate()'s first listed import loads this
    package, then calls the hook one frame deeper).
    """
    frame: FrameType | None = sys._getframe(2)
    while frame is not None and frame.f_code is not _IMPORT_CODE:
        frame = frame.f_back
    return None if frame is None else frame.f_back


def _bind_in_parent(fullname: str, globals: dict[str, Any], where: tuple[Any, ...]) -> None:
    """In a package importing its own submodule, bind it as the eager import would (lazily).

    ``from .exceptions import X`` in a package's ``__init__`` binds
    ``exceptions`` in the package as a side effect, and its code then uses
    ``exceptions`` as a global: a global read never asks the module, so the
    binding must be in the namespace.  (Other modules reach a parent's pending
    submodules as attributes, through ``_pending``.)
    """
    parent, _, child = fullname.rpartition(".")
    if globals.get("__name__") == parent and child not in globals:
        globals[child] = LazyObject(Binding(fullname, None, globals, where))


def _nothing_to_defer(fullname: str, fromlist: Any) -> bool:
    """Is the import a plain cache hit (module fully imported, every from-name there)?"""
    module = sys.modules.get(fullname)
    if module is None:
        return False
    if getattr(getattr(module, "__spec__", None), "_initializing", False):
        return False
    if not fromlist:
        return True
    namespace = getattr(module, "__dict__", None)
    return isinstance(namespace, dict) and all(item in namespace for item in fromlist)


def _dotted(fullname: str, globals: dict[str, Any], where: tuple[Any, ...]) -> LazyObject:
    """``import a.b`` binds ``a``: one lazy ``a`` per namespace collects each ``a.x`` it needs."""
    global _dotted_made
    top = fullname.partition(".")[0]
    existing = globals.get(top)
    if type(existing) is LazyObject and not is_resolved(existing):
        binding = binding_of(existing)
        if binding.attr is None and binding.module == top and binding.namespace is globals:
            binding.submodules = [*(binding.submodules or ()), fullname]
            return existing
    _dotted_made = True
    return LazyObject(Binding(top, None, globals, where, [fullname]))


def _settle(globals: dict[str, Any], name: str) -> None:
    """An eager ``import a`` is about to replace a lazy ``a`` from ``import a.b``: import a.b now."""
    existing = globals.get(name.partition(".")[0])
    if type(existing) is LazyObject and not is_resolved(existing) and binding_of(existing).submodules:
        resolve(existing)


class _Source:
    """What a lazy ``from m import x`` (or ``import a.b.c as d``) statement gets back.

    The statement takes its names with getattr (``IMPORT_FROM``); each one
    becomes a lazy object.  For ``import a.b.c as d`` the statement walks
    ``.b.c`` from ``a``, so *depth* counts the steps left to the submodule.
    """

    __slots__ = ("_spec",)

    def __init__(self, module: str, depth: int, globals: dict[str, Any], where: tuple[Any, ...]) -> None:
        object.__setattr__(self, "_spec", (module, depth, globals, where))

    def __getattribute__(self, attr: str) -> Any:
        module, depth, globals, where = object.__getattribute__(self, "_spec")
        if depth == 0:
            return LazyObject(Binding(module, attr, globals, where))
        if depth == 1:
            return LazyObject(Binding(module, None, globals, where))
        return _Source(module, depth - 1, globals, where)
