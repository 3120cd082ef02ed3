"""Which lazy imports are still pending: PEP 810's ``sys.lazy_modules``, and the submodules behind it.

An eager ``import pkg.sub`` anywhere in a program binds ``sub`` on ``pkg``, and
other code relies on it (``import pygments`` then ``pygments.token``, because
some other module imported ``pygments.token``).  PEP 810 keeps that working
without importing anything early: a module attribute that is missing, on a
package with a pending lazy import of that submodule, imports the submodule.
Here every lazy import records its names; a package with pending children gets
the resolving module class (see ``_proxy._HoldingModule``), now if it is
imported already, else when the engine finishes importing it (an observer).
Nothing is added to the package's namespace, so ``dir()``, ``vars()`` and
``inspect`` see it as the eager import would have before the submodule loaded.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

from ..engine import _importlib_bootstrap as engine
from . import (
    report,
)  # at import time: an observer that outlives a sys.modules restore must not import this package again

__all__ = [
    "absolute_name",
    "children_of",
    "forget",
    "has_children",
    "import_pending_under",
    "lazy_modules",
    "record",
    "when_imported",
]

# parent module name -> names of children with a lazy import pending
_children: dict[str, set[str]] = {}
# package name -> modules inside it with a lazy import made and not imported yet, in
# program order: an eager run would have imported each by now (see import_pending_under)
_descendants: dict[str, dict[str, None]] = {}
# PEP 810's sys.lazy_modules: each lazy import's module, and module.name for each from-name
_names: set[str] = set()
# id(namespace) -> (namespace, the modules it imported lazily, in statement order)
_statements: dict[int, tuple[dict[str, Any], list[str]]] = {}
# ids of the sys.meta_path finders seen so far (see _settle_new_finders)
_seen_finders: set[int] = set()
# resolve_all(namespace): resolve every lazy binding left in it, errors left for their use
_resolve_all: list[Callable[[dict[str, Any]], None]] = []
# is_lazy(obj): a proxy (from _proxy, which imports this module) or, on 3.15+, the interpreter's lazy object
_is_lazy: list[Callable[[Any], bool]] = []
# called with a module that just got pending children (the class switch lives in _proxy)
_adopt: list[Callable[[Any], None]] = []


def record(fullname: str, fromlist: Iterable[str] | None) -> None:
    """Note a lazy import of *fullname* (taking *fromlist*); adopt parents already imported."""
    _names.add(fullname)
    pairs = []
    parent, _, child = fullname.rpartition(".")
    while parent:
        pairs.append((parent, child))
        parent, _, child = parent.rpartition(".")
    for ancestor, _ in pairs:
        _descendants.setdefault(ancestor, {})[fullname] = None
    for name in fromlist or ():
        if name != "*":
            _names.add(f"{fullname}.{name}")
            pairs.append((fullname, name))
    for parent, child in pairs:
        _children.setdefault(parent, set()).add(child)
        module = sys.modules.get(parent)
        if module is not None and _adopt:
            _adopt[0](module)


def has_children(name: Any) -> bool:
    """Does module *name* still have submodules with a lazy import pending (not imported yet)?"""
    children = _children.get(name)
    if children is None:
        return False
    modules = sys.modules
    children.difference_update([child for child in children if f"{name}.{child}" in modules])
    if not children:
        del _children[name]
        return False
    return True


def children_of(name: str) -> set[str]:
    return _children.get(name, set())


def import_pending_under(package: str, wanted: str | None = None) -> bool:
    """Import, in program order, the modules inside *package* whose lazy imports are pending.

    An attribute missing on a package is often one that an import made
    earlier in the program would have bound as a side effect, had it been
    eager: ``from pygments.formatters.terminal import X`` imports
    ``pygments.formatter`` too, and code then reads ``pygments.formatter``.
    Each of these import statements has run already, so the eager program
    would have imported every one of these modules by now: importing them
    changes only when, never what.  An error is left for the lazy binding to
    raise where it is used.  Once the package has attribute *wanted*, the
    rest stay pending, for the next missing attribute (httpie reads
    ``pygments.formatter``: 6 of the 10 modules pending under pygments bind
    it).  Returns whether anything was imported.
    """
    pending = _descendants.pop(package, None)
    if not pending:
        return False
    imported = False
    names = list(pending)
    for index, fullname in enumerate(names):
        if fullname not in sys.modules:
            try:
                _note_ahead(fullname, f"a missing attribute of {package}")
                _import_keeping_parent(fullname)
                imported = True
            except Exception:  # surfaces at the binding's first use
                pass
        if imported and wanted is not None and _has_own(package, wanted):
            # the rest came first in program order: ahead of any recorded meanwhile
            rest = dict.fromkeys(name for name in names[index + 1 :] if name not in sys.modules)
            if rest:
                _descendants[package] = {**rest, **_descendants.get(package, {})}
            break
    return imported


def _has_own(package: str, name: str) -> bool:
    """Is *name* in the namespace of module *package* (read without resolving anything)?"""
    namespace = getattr(sys.modules.get(package), "__dict__", None)
    return isinstance(namespace, dict) and name in namespace


def absolute_name(name: str, globals: dict[str, Any], level: int) -> str | None:
    """The absolute name imported, or None to leave odd cases to the eager import."""
    if not level:
        return name or None
    package = globals.get("__package__")
    if not package:
        spec = globals.get("__spec__")
        package = getattr(spec, "parent", None)
    if not isinstance(package, str) or not package:
        return None
    try:
        return engine.resolve_name(name, package, level)
    except ImportError:
        return None


def statement(namespace: dict[str, Any], fullname: str) -> tuple[list[str], int, str]:
    """Note a lazy import statement of *namespace*; return its place in that module's order."""
    entry = _statements.get(id(namespace))
    if entry is None or entry[0] is not namespace:
        entry = _statements[id(namespace)] = (namespace, [])
    entry[1].append(fullname)
    return entry[1], len(entry[1]) - 1, str(namespace.get("__name__"))


def import_earlier(order: tuple[list[str], int, str], fullname: str) -> None:
    """Before a package's own submodule is imported, import those its ``__init__`` lazily imported earlier.

    Modules of one package may only import correctly in the order the package
    imports them (pandas' Cython modules cycle among themselves, and only the
    order of ``pandas/_libs/tslibs/__init__`` works).  Resolving a package's
    lazy import of one of its own submodules first imports the ones it wrote
    before it, as the eager program did.  Other imports stay deferred.
    """
    names, index, importer = order
    prefix = importer + "."
    if not fullname.startswith(prefix):
        return
    modules = sys.modules
    for earlier in dict.fromkeys(names[:index]):  # one try each: ``from .core import a`` then ``... import b``
        if earlier == fullname or not earlier.startswith(prefix):
            continue
        module = modules.get(earlier)
        if module is not None:
            if getattr(getattr(module, "__spec__", None), "_initializing", False):
                # still running (it is what asks for *fullname*): the eager program had
                # imported nothing after it yet, and what comes after may need it
                # complete (click.decorators takes names from click.core)
                return
            continue
        try:
            _note_ahead(earlier, f"statement order (before {fullname})")
            _import_keeping_parent(earlier)
        except Exception:  # surfaces at that binding's first use
            pass


def _note_ahead(fullname: str, rule: str) -> None:
    if report.active:
        report.imported_ahead(fullname, rule)


def _import_keeping_parent(fullname: str) -> None:
    """Import *fullname* ahead of its lazy binding; a lazy binding of that name on the parent stays.

    ``from .table import table`` in ``pkg/__init__`` bound ``table`` lazily
    (the function); importing ``pkg.table`` binds the submodule over it, which
    the eager import had done *before* the statement rebound the name.
    """
    parent, _, child = fullname.rpartition(".")
    namespace = getattr(sys.modules.get(parent), "__dict__", None) if parent else None
    before = namespace.get(child) if isinstance(namespace, dict) else None
    module = importlib.import_module(fullname)
    if (
        before is not None
        and isinstance(namespace, dict)
        and _is_lazy
        and _is_lazy[0](before)
        and namespace.get(child) is module
    ):
        namespace[child] = before


def keeps_parent_binding(parent: Any, fullname: str, child: str) -> bool:
    """Engine hook: is *parent*'s binding of *child* one to keep over the submodule just imported?

    Yes when the package's body imported *fullname* lazily and then bound the
    name to something else: pendulum's ``from pendulum.duration import
    Duration`` then ``def duration(...)``.  Eagerly the submodule was bound at
    the import and the ``def`` replaced it; imported later, it must not undo
    the ``def``.  (3.15, mode "all": also a lazy object there, which resolves
    to what the eager import bound; see _native_rules.)
    """
    namespace = getattr(parent, "__dict__", None)
    if type(namespace) is not dict or child not in namespace:
        return False
    current = namespace[child]
    if _is_lazy and _is_lazy[0](current):
        return bool(_keep_lazy) and _keep_lazy[0](current)
    if issubclass(type(current), ModuleType):  # type(), not isinstance(): that would resolve a proxy
        return False
    entry = _statements.get(id(namespace))
    return entry is not None and entry[0] is namespace and fullname in entry[1]


# keep_lazy(obj): 3.15's rules also keep the interpreter's lazy objects (set by _native_rules)
_keep_lazy: list[Callable[[Any], bool]] = []


def lazy_modules() -> set[str]:
    """A new set: the names of lazy imports made and not imported yet (3.15's ``sys.lazy_modules``)."""
    modules = sys.modules
    _names.difference_update([name for name in _names if name in modules])
    return set(_names)


def _settle_new_finders(finders: list[Any]) -> None:
    """A finder appeared on sys.meta_path: resolve the lazy imports its code reaches, without it.

    pytest puts its assertion rewriter first on sys.meta_path; its
    ``find_spec`` calls ``_pytest.pathlib.fnmatch_ex``, which uses ``fnmatch``,
    imported lazily by ``_pytest.pathlib``.  Resolving that through the import
    system would ask the rewriter, which needs ``fnmatch``: endless recursion.
    Eagerly, those imports had run before the finder existed, so they are
    resolved now with it left out: the lazy bindings of the finder's module,
    then of the modules that the functions and classes it holds come from.
    Left out of the engine's imports on this thread only (an import made by C
    code, through importlib, still asks it).
    """
    new = [finder for finder in finders if id(finder) not in _seen_finders]
    _seen_finders.clear()
    _seen_finders.update(id(finder) for finder in finders)
    namespaces = [
        namespace
        for namespace in map(_namespace_of, (type(finder) for finder in new))
        if namespace is not None and not str(namespace.get("__name__")).startswith("importworks")
    ]
    if not namespaces or not _resolve_all:
        return
    with engine.leave_out_finders(new):  # for this thread only: others may need the finder meanwhile
        for namespace in namespaces:
            for reached in [namespace, *_namespaces_reached(namespace)]:
                if id(reached) in _statements:
                    _note_ahead(str(reached.get("__name__")), "a new sys.meta_path finder's code")
                    _resolve_all[0](reached)


def _namespace_of(obj: Any) -> dict[str, Any] | None:
    module = sys.modules.get(getattr(obj, "__module__", None) or "")
    namespace = getattr(module, "__dict__", None)
    return namespace if isinstance(namespace, dict) else None


def _namespaces_reached(namespace: dict[str, Any]) -> list[dict[str, Any]]:
    """The namespaces of the modules whose functions and classes *namespace* holds (resolving it first)."""
    if id(namespace) in _statements and _resolve_all:
        _resolve_all[0](namespace)
    found: dict[int, dict[str, Any]] = {}
    for value in list(namespace.values()):
        if isinstance(value, type) or callable(value) and hasattr(value, "__code__"):
            other = _namespace_of(value)
            if other is not None and other is not namespace and id(other) in _statements:
                found[id(other)] = other
    return list(found.values())


def check_finders() -> None:
    """Before an import: has a finder appeared on sys.meta_path since the last one?  Then settle it."""
    finders = sys.meta_path
    if len(finders) != len(_seen_finders) or any(id(f) not in _seen_finders for f in finders):
        _settle_new_finders(finders)


def remember_finders() -> None:
    """The finders on sys.meta_path now are not new (called when lazy imports are turned on)."""
    _seen_finders.clear()
    _seen_finders.update(id(finder) for finder in sys.meta_path)


def forget() -> None:
    """Drop every record (tests start from a clean slate)."""
    _children.clear()
    _descendants.clear()
    _names.clear()
    _statements.clear()


def note_failure(name: str, exc: BaseException) -> None:
    """For the report: a module's body raised; which of its lazy imports were still pending?"""
    if not report.active or (isinstance(exc, ModuleNotFoundError) and exc.name == name):
        return
    modules = sys.modules
    # each run of a body that is imported again adds its statements: each name once
    pending = list(
        dict.fromkeys(
            fullname
            for namespace, names in list(_statements.values())
            if namespace.get("__name__") == name
            for fullname in names
            if fullname not in modules
        )
    )
    if pending:
        report.import_failed(name, exc, pending)


class _ImportedObserver:
    """Engine observer: a module that was just imported and has pending children gets adopted."""

    __slots__ = ()

    def begin(self, name: str) -> None:
        check_finders()

    def found(self, name: str, spec: Any) -> None:
        pass

    def created(self, name: str) -> None:
        pass

    def loaded(self, name: str) -> None:
        pass

    def end(self, name: str, module: Any, exc: BaseException | None) -> None:
        if exc is not None:
            note_failure(name, exc)
            return
        if name in _children and _adopt:
            current = sys.modules.get(name, module)
            if current is not None:
                _adopt[0](current)


when_imported = _ImportedObserver()
