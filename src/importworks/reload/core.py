"""Reload modules so that running code sees the new code: the algorithm.

For each module, in dependency order (see :mod:`.graph`):

1. re-find its spec through ``sys.meta_path`` and get its new code;
2. run that code as a trial in a scratch copy of the module's namespace (its
   ``__name__`` is never ``"__main__"``, so an ``if __name__ == "__main__":``
   block does not run again); the module stays in ``sys.modules`` untouched
   meanwhile, so other threads keep running the old code, and a syntax error
   or an exception at import time changes nothing (:mod:`.execute`);
3. then, under the module's import lock, run it again in the module's own
   namespace, which keeps the names the new code does not assign, as
   ``importlib.reload`` does, and patch the objects the rebound names held
   before (:mod:`.patch`);
4. rebind ``from mod import name`` bindings that now point at replaced objects
   in modules that are not re-executed themselves (``__main__``, say).

:func:`reload` returns the module, as ``importlib.reload`` does, warns
(:class:`ReloadWarning`) of what could not be patched, and leaves its report
to :func:`last_report`.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterable
from types import CodeType, FunctionType, ModuleType
from typing import Any

from ..engine._importlib_bootstrap import find_spec_on_meta_path
from ..engine.locks import get_module_lock
from ..errors import ERR_NOT_A_MODULE, ERR_NOT_FOUND, ERR_NOT_IN_SYS_MODULES, ReloadError
from ..spec import ModuleSpec
from .execute import Execution
from .graph import ModuleGraph
from .patch import Patcher
from .report import ModuleReload, ReloadReport, ReloadWarning, warn_unpatched

__all__ = ["ModuleReload", "ReloadError", "ReloadReport", "ReloadWarning", "Reloader", "last_report", "reload"]

ERR_RELOAD = "cannot reload {name!r}: {error} ({path}, line {line})"
ERR_CANNOT = "cannot reload {name!r}: {error}"
ERR_NO_CODE = "its loader ({loader}) has no code to execute again"
MAIN_EXEC_NAME = "__importworks_main__"  # what __main__ is called while its new code runs


def _error_location(exc: BaseException, path: str | None) -> tuple[str | None, int | None]:
    import traceback

    if isinstance(exc, SyntaxError) and exc.filename:
        return exc.filename, exc.lineno
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if path is not None and f.filename == path]
    candidates = mine or frames
    if not candidates:
        return path, None
    return candidates[-1].filename, candidates[-1].lineno


def _describe(exc: BaseException) -> str:
    import traceback

    if isinstance(exc, SyntaxError):
        return f"{type(exc).__name__}: {exc.msg}"
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


class Reloader:
    """Reload modules and their dependents, patching old objects in place."""

    def __init__(self, graph: ModuleGraph | None = None) -> None:
        self.graph = graph if graph is not None else ModuleGraph()
        self._lock = threading.RLock()  # one reload at a time (a watcher thread and a caller, say)

    def reload(
        self, modules: Iterable[ModuleType | str], *, dependents: bool = True, namespaces: Iterable[dict[str, Any]] = ()
    ) -> ReloadReport:
        """Reload *modules* (then, if asked, every project module importing them); report.

        *namespaces* (an interactive session's, say) have their names that held a
        replaced function or class rebound to its replacement.  Nothing is raised
        or warned: the report holds the errors and what could not be patched, for
        the caller to say (the watcher prints ``report.summary()``).
        """
        with self._lock:
            return self._reload(modules, dependents, namespaces)

    def _reload(
        self, modules: Iterable[ModuleType | str], dependents: bool, namespaces: Iterable[dict[str, Any]]
    ) -> ReloadReport:
        started = time.perf_counter()
        targets = [self._name_of(m) for m in modules]
        order = self.graph.reload_order(targets, dependents=dependents)
        report = ReloadReport()
        failed: set[str] = set()
        replaced: dict[str, dict[str, Any]] = {}
        for name in order:
            if name == "__main__" and name not in targets:
                continue  # never run the program's own body again: its bindings are updated below
            if failed & self.graph.imports_of(name):
                failed.add(name)  # it would only run against the old code of what failed
                continue
            step, before = self._reload_one(name)
            step.dependent = name not in targets
            report.modules.append(step)
            if step.error is not None:
                failed.add(name)
            else:
                replaced[name] = before
        report.rebound = self._rebind(replaced, {m.name for m in report.modules})
        report.rebound += _rebind_by_identity(replaced, namespaces)
        report.seconds = time.perf_counter() - started
        for error in report.errors:
            error.report = report
        return report

    # ---------------------------------------------------------- one module
    @staticmethod
    def _name_of(module: ModuleType | str) -> str:
        if isinstance(module, str):
            if module not in sys.modules:
                raise ImportError(ERR_NOT_IN_SYS_MODULES.format(name=module), name=module)
            return module
        if not isinstance(module, ModuleType):
            raise TypeError(ERR_NOT_A_MODULE)
        spec_name = getattr(getattr(module, "__spec__", None), "name", None)
        for name in (spec_name, module.__name__):  # __main__'s spec is named after its module
            if name is not None and sys.modules.get(name) is module:
                return name
        name = spec_name or module.__name__
        raise ImportError(ERR_NOT_IN_SYS_MODULES.format(name=name), name=name)

    def _find_spec(self, name: str, module: ModuleType) -> ModuleSpec:
        old = getattr(module, "__spec__", None)
        if old is None:  # a script run by path (runpy.run_path): only its file is known
            from ..finders.loaders import SourceFileLoader, spec_from_file_location

            path = getattr(module, "__file__", None)
            if path is None:
                raise ImportError(ERR_NOT_FOUND.format(name=name), name=name)
            spec = spec_from_file_location(name, path, loader=SourceFileLoader(name, path))
            if spec is None:
                raise ImportError(ERR_NOT_FOUND.format(name=name), name=name)
            return spec
        spec_name = old.name
        parent = spec_name.rpartition(".")[0]
        path = getattr(sys.modules.get(parent), "__path__", None) if parent else None
        spec = find_spec_on_meta_path(spec_name, path, module)
        if spec is None:
            raise ModuleNotFoundError(ERR_NOT_FOUND.format(name=spec_name), name=spec_name)
        return spec

    def _get_code(self, spec: ModuleSpec) -> CodeType:
        loader: Any = spec.loader  # any loader will do: what it can do is asked with hasattr
        if all(hasattr(loader, a) for a in ("source_to_code", "get_data", "get_filename")):
            # compile from the source itself: a pyc written within the same second
            # as an edit of the same size would look valid, and be stale
            path = loader.get_filename(spec.name)
            return loader.source_to_code(loader.get_data(path), path)
        code = loader.get_code(spec.name) if hasattr(loader, "get_code") else None
        if code is None:
            raise ImportError(ERR_NO_CODE.format(loader=type(loader).__name__), name=spec.name)
        return code

    def _reload_one(self, name: str) -> tuple[ModuleReload, dict[str, Any]]:
        started = time.perf_counter()
        step = ModuleReload(name)
        module = sys.modules[name]
        path = getattr(module, "__file__", None)
        before = dict(module.__dict__)
        try:
            spec = self._find_spec(name, module)
            path = spec.origin if spec.has_location else path
            code = self._get_code(spec)
        except ImportError as exc:  # nothing to execute: no spec, or no code
            step.error = ReloadError(ERR_CANNOT.format(name=name, error=exc), name=name, path=path)
            step.error.__cause__ = exc
            step.error.nothing_to_execute = True
            step.seconds = time.perf_counter() - started
            return step, before
        except SyntaxError as exc:
            return self._failed(step, exc, path, started), before
        exec_name = MAIN_EXEC_NAME if spec.name == "__main__" else spec.name
        import_attrs = before.get("__spec__") is not None  # a script run by path keeps what runpy gave it
        execution = Execution(module, spec, code, exec_name=exec_name, import_attrs=import_attrs, before=before)
        try:
            execution.trial()
        except Exception as exc:  # SystemExit and KeyboardInterrupt are the user's, not a failed edit
            return self._failed(step, exc, path, started), before
        with get_module_lock(name):
            try:
                execution.run()
            except Exception as exc:  # the trial passed, this run did not: the namespace is back as it was
                return self._failed(step, exc, path, started), before
            result = Patcher(name, before, module.__dict__, execution.exec_name).patch_namespace()
            execution.share()
        self.graph.forget(name)
        step.changed, step.conflicts = result.changed, result.conflicts
        step.seconds = time.perf_counter() - started
        return step, before

    @staticmethod
    def _failed(step: ModuleReload, exc: BaseException, path: str | None, started: float) -> ModuleReload:
        where, line = _error_location(exc, path)
        step.error = ReloadError(
            ERR_RELOAD.format(name=step.name, error=_describe(exc), path=where, line=line),
            name=step.name,
            path=where,
            lineno=line,
        )
        step.error.__cause__ = exc
        step.seconds = time.perf_counter() - started
        return step

    # ---------------------------------------------------------- bindings
    def _rebind(self, replaced: dict[str, dict[str, Any]], reexecuted: set[str]) -> list[str]:
        """Point ``from mod import name`` bindings at what *name* is now, where they still hold the old."""
        if not replaced:
            return []
        rebound = []
        for source, before in replaced.items():
            current = sys.modules[source].__dict__
            for importer, binding in self.graph.binders_of(source):
                if importer in reexecuted or importer not in sys.modules:
                    continue
                namespace = sys.modules[importer].__dict__
                names = (
                    [(n, n) for n in before if not n.startswith("_")]
                    if binding.attr == "*"
                    else [(binding.attr, binding.local)]
                )
                for attr, local in names:
                    if (
                        attr in before
                        and local in namespace
                        and namespace[local] is before[attr]
                        and current.get(attr, before[attr]) is not before[attr]
                    ):
                        namespace[local] = current[attr]
                        rebound.append(f"{importer}.{local}")
        return rebound


def _rebind_by_identity(replaced: dict[str, dict[str, Any]], namespaces: Iterable[dict[str, Any]]) -> list[str]:
    """In namespaces without source to scan, rebind names holding a replaced function or class."""
    swaps: dict[int, tuple[Any, Any]] = {}
    for module_name, before in replaced.items():
        current = sys.modules[module_name].__dict__
        for attr, old in before.items():
            new = current.get(attr, old)
            if new is not old and isinstance(old, (type, FunctionType)):
                swaps[id(old)] = (old, new)
    rebound = []
    for namespace in namespaces if swaps else ():
        for local, value in list(namespace.items()):
            swap = swaps.get(id(value))
            if swap is not None and swap[0] is value:
                namespace[local] = swap[1]
                rebound.append(local)
    return rebound


_default: Reloader | None = None


def default_reloader() -> Reloader:
    """The Reloader shared by reload(), autoreload() and the IPython extension."""
    global _default
    if _default is None:
        _default = Reloader()
    return _default


_last = threading.local()  # what reload() did last, per thread: a watcher's thread has its own


def last_report() -> ReloadReport | None:
    """The report of the last :func:`reload` this thread made (None before the first).

    It lists each module reloaded (dependents too), the names whose code changed,
    what could not be patched, the ``from`` bindings rebound, and the time taken.
    """
    return getattr(_last, "report", None)


def reload(module: ModuleType, *, dependents: bool = True) -> ModuleType:
    """Reload *module* so that running code sees its new code; return the module.

    As ``importlib.reload`` does, the module object and its dictionary are kept:
    the new code runs in it, so names it does not assign keep their values.  It
    runs there only after a trial run of the same code has succeeded, then the
    functions and classes the new code rebound are patched in place (references
    taken before see the new code).  With *dependents*, the project modules
    that import it, directly or not, are re-executed after it the same way, in
    dependency order, each once.  What could not be patched is warned of
    (:class:`ReloadWarning`); :func:`last_report` tells everything.

    Raises:
        ReloadError: the new code failed (syntax error, exception at import
            time); the old code is still in place.  ``exc.report`` tells the rest.
        ImportError: *module* is not in ``sys.modules``.
        TypeError: *module* is not a module (a name, say), as with importlib.reload.
    """
    if not isinstance(module, ModuleType):  # a name is for Reloader.reload(); this is importlib's API
        raise TypeError(ERR_NOT_A_MODULE)
    name = Reloader._name_of(module)
    report = _last.report = default_reloader().reload([name], dependents=dependents)
    warn_unpatched(report, stacklevel=2)
    if report.errors:
        error = report.errors[0]
        if error.nothing_to_execute and error.name == name:
            # built-in, extension, spec-less or replaced modules: there is nothing
            # to patch, so reload them exactly as importlib.reload does
            from ..engine.api import importlib_reload

            result = importlib_reload(module)
            report.modules[0].error = None
            return result
        raise error
    return sys.modules[name]
