"""Who imports whom, among the modules a program loaded: the order of a reload.

Two sources, because neither sees everything:

* the import statements in each module's source (an ``ast`` scan, resolved to
  absolute names against ``sys.modules``): this sees cache hits, which the engine
  does not report, and the names ``from mod import name`` binds;
* the engine's observer events (``ImportObserver``): this sees imports made by
  code, such as ``importlib.import_module(name)`` in a module body.

A scan is made once per module object and redone after each reload of it, so
it describes the code that runs, not whatever is on disk right now.
"""

from __future__ import annotations

import sys
import threading
import weakref
from collections.abc import Iterable
from types import ModuleType
from typing import Any, NamedTuple

from ..engine._importlib_bootstrap import resolve_name
from ..engine.hooks import ObserverBase
from ..engine.observers import thread_stack
from ..finders.bytecode import decode_source
from .source import is_project_module, source_path

__all__ = ["Binding", "ImportObserver", "ModuleGraph", "can_reload", "scan_imports"]


class Binding(NamedTuple):
    """``from source import attr as local`` in some module (attr ``*`` for a star import)."""

    local: str
    source: str
    attr: str


class _Scan(NamedTuple):
    module: Any  # a weak reference: ids of dead modules get reused
    imports: frozenset[str]
    bindings: tuple[Binding, ...]


def _package_of(module: ModuleType, name: str) -> str:
    package = getattr(module, "__package__", None)
    if package is not None:
        return package
    return name if hasattr(module, "__path__") else name.rpartition(".")[0]


def _absolute(target: str | None, level: int, package: str) -> str | None:
    """The module a relative import in *package* names, as the engine resolves it; None above the top."""
    if not level:
        return target
    if not package:
        return None
    try:
        return resolve_name(target or "", package, level)
    except ImportError:
        return None


def scan_imports(tree: Any, package: str) -> tuple[set[str], list[Binding]]:
    """The absolute module names a module's imports name, and its ``from`` bindings."""
    import ast

    imports: set[str] = set()
    bindings: list[Binding] = []
    for node in _executed_at_import(tree, ast):
        if isinstance(node, ast.Import):
            imports.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(node.module, node.level, package)
            if source is None:
                continue
            only_submodules = True
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                if submodule in sys.modules:  # from package import submodule
                    imports.add(submodule)
                else:
                    only_submodules = False
                bindings.append(Binding(alias.asname or alias.name, source, alias.name))
            if not only_submodules:
                # its names come from the package itself (``from . import sub`` alone
                # does not make every sibling a dependent of the package's __init__)
                imports.add(source)
    return imports, bindings


def _executed_at_import(tree: Any, ast: Any) -> Iterable[Any]:
    """The nodes that run with the module body: not function bodies (an import
    there binds nothing in the module, and the observer sees it if it runs early)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                todo.append(child)


def _read_source(name: str, module: ModuleType) -> str | None:
    spec = getattr(module, "__spec__", None)
    loader = getattr(spec, "loader", None) or getattr(module, "__loader__", None)
    get_source = getattr(loader, "get_source", None)
    if get_source is not None and spec is not None:
        try:
            return get_source(spec.name)
        except (ImportError, OSError):
            pass
    path = source_path(module)
    if path is None:
        return None
    try:
        with open(path, "rb") as f:
            return decode_source(f.read())
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None


def _ref(obj: Any) -> Any:
    try:
        return weakref.ref(obj)
    except TypeError:  # something in sys.modules that is not a module
        return lambda: obj


def can_reload(module: ModuleType) -> bool:
    """Is there code to execute *module* again?"""
    spec = getattr(module, "__spec__", None)
    if spec is None:
        return source_path(module) is not None
    return hasattr(spec.loader, "get_code") or hasattr(spec.loader, "source_to_code")


class ModuleGraph:
    """The import graph of the project modules in sys.modules."""

    def __init__(self) -> None:
        self._scans: dict[str, _Scan] = {}
        self._dynamic: dict[str, set[str]] = {}
        self._project: dict[str, tuple[Any, bool]] = {}  # name -> (weakref to module, is it the user's code)
        self._lock = threading.Lock()
        # the reverse edges, rebuilt when sys.modules grows or shrinks, else updated for
        # the modules in _dirty (reloaded, or seen importing something at run time)
        self._index_key: tuple[int, int] = (-1, 0)
        self._project_names: list[str] = []
        self._edges: dict[str, frozenset[str]] = {}
        self._importers: dict[str, set[str]] = {}
        self._binders: dict[str, list[tuple[str, Binding]]] = {}
        self._dirty: set[str] = set()

    # ---------------------------------------------------------- one module
    def _scan(self, name: str) -> _Scan:
        module = sys.modules[name]
        scan = self._scans.get(name)
        if scan is not None and scan.module() is module:
            return scan
        source = _read_source(name, module)
        imports: set[str] = set()
        bindings: list[Binding] = []
        if source is not None:
            import ast

            try:
                tree = ast.parse(source)
            except (SyntaxError, ValueError):
                tree = None
            if tree is not None:
                imports, bindings = scan_imports(tree, _package_of(module, name))
        imports.discard(name)
        scan = _Scan(weakref.ref(module), frozenset(imports), tuple(bindings))
        with self._lock:
            self._scans[name] = scan
        return scan

    def imports_of(self, name: str) -> set[str]:
        """The loaded modules *name* imports."""
        found = set(self._scan(name).imports) | self._dynamic.get(name, set())
        return {n for n in found if n in sys.modules and n != name}

    def bindings_of(self, name: str) -> tuple[Binding, ...]:
        """The ``from ... import`` bindings in *name*'s source."""
        return self._scan(name).bindings

    def forget(self, name: str) -> None:
        """Scan *name* again next time (its code was just replaced)."""
        with self._lock:
            self._scans.pop(name, None)
            self._dirty.add(name)

    def note_import(self, importer: str, imported: str) -> None:
        """Record that *importer*'s code imported *imported* (seen at run time)."""
        with self._lock:
            self._dynamic.setdefault(importer, set()).add(imported)
            self._dirty.add(importer)

    # ---------------------------------------------------------- reverse edges
    def _refresh_index(self) -> None:
        # which modules are loaded, not just how many: a module can be swapped
        # for another (or sys.modules restored) without the count changing
        key = (len(sys.modules), sum(map(id, list(sys.modules.values()))))
        if self._index_key != key:
            self._index_key = key
            self._project_names = self._find_project_modules()
            self._edges, self._importers, self._binders = {}, {}, {}
            todo = list(self._project_names)
        else:
            with self._lock:
                todo, self._dirty = [n for n in self._dirty if n in sys.modules], set()
        for name in todo:
            self._unlink(name)
            if name not in self._project_names:
                continue
            if can_reload(sys.modules[name]):  # only what can run again is a dependent
                self._edges[name] = frozenset(self.imports_of(name))
                for imported in self._edges[name]:
                    self._importers.setdefault(imported, set()).add(name)
            for binding in self.bindings_of(name):
                self._binders.setdefault(binding.source, []).append((name, binding))

    def _unlink(self, name: str) -> None:
        for imported in self._edges.pop(name, ()):
            self._importers.get(imported, set()).discard(name)
        for source, pairs in self._binders.items():
            if any(importer == name for importer, _ in pairs):
                self._binders[source] = [p for p in pairs if p[0] != name]

    def importers_of(self, name: str) -> set[str]:
        """The reloadable project modules that import *name* directly."""
        self._refresh_index()
        return set(self._importers.get(name, ()))

    def binders_of(self, name: str) -> list[tuple[str, Binding]]:
        """(importer, binding) for every ``from name import ...`` in project modules."""
        self._refresh_index()
        return list(self._binders.get(name, ()))

    # ---------------------------------------------------------- the graph
    def project_modules(self) -> list[str]:
        """Names of the modules a reload may re-execute, in sys.modules order."""
        self._refresh_index()
        return list(self._project_names)

    def _find_project_modules(self) -> list[str]:
        known = self._project
        names = []
        for name, module in list(sys.modules.items()):
            answer = known.get(name)
            if answer is None or answer[0]() is not module:
                answer = known[name] = (_ref(module), is_project_module(module))
            if answer[1]:
                names.append(name)
        return names

    def warm(self) -> None:
        """Scan every project module now, so that the first reload need not."""
        for name in self.project_modules():
            self._scan(name)

    def dependents(self, names: Iterable[str]) -> set[str]:
        """Every project module that imports one of *names*, directly or not."""
        self._refresh_index()
        importers = self._importers
        seen: set[str] = set()
        todo = list(names)
        while todo:
            for importer in importers.get(todo.pop(), ()):
                if importer not in seen:
                    seen.add(importer)
                    todo.append(importer)
        return seen - set(names)

    def reload_order(self, names: Iterable[str], *, dependents: bool = True) -> list[str]:
        """*names* and (if asked) their dependents, each once, each after what it imports."""
        wanted = list(dict.fromkeys(names))
        chosen = set(wanted)
        if dependents:
            chosen |= self.dependents(wanted)
        order: list[str] = []
        visited: set[str] = set()
        for root in [n for n in sys.modules if n in chosen]:
            if root in visited:
                continue
            # depth first, post-order (imports before importers), without recursion
            visited.add(root)
            stack = [(root, iter(sorted(self.imports_of(root) & chosen)))]
            while stack:
                name, pending = stack[-1]
                for imported in pending:
                    if imported not in visited:
                        visited.add(imported)
                        stack.append((imported, iter(sorted(self.imports_of(imported) & chosen))))
                        break
                else:
                    stack.pop()
                    order.append(name)
        return order


class ImportObserver(ObserverBase):
    """An engine observer that records the imports each module body makes."""

    def __init__(self, graph: ModuleGraph, on_loaded: object = None) -> None:
        self.graph = graph
        self.on_loaded = on_loaded  # called with (name, module) after each successful import
        self._local = threading.local()

    def _stack(self) -> list[str]:
        return thread_stack(self._local)

    def begin(self, name: str) -> None:
        stack = self._stack()
        if stack:
            self.graph.note_import(stack[-1], name)
        stack.append(name)

    def end(self, name: str, module: ModuleType | None, exc: BaseException | None) -> None:
        stack = self._stack()
        if stack and stack[-1] == name:
            stack.pop()
        if module is not None and self.on_loaded is not None:
            self.on_loaded(name, module)  # type: ignore[operator]
