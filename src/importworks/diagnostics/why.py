"""Why an import fails (or what it really finds): every step, then the causes.

:func:`diagnose` resolves a dotted name the way the running interpreter does:
parents first, then each finder on ``sys.meta_path`` in order.  The path-based
finder (ours or the stock one) is opened up: every entry of ``sys.path`` (or of
the parent's ``__path__``) is shown with the verdict of its own path entry
finder, taken from ``sys.path_importer_cache`` / ``sys.path_hooks`` exactly as
the finder does.  Entries after the winner are still asked, so copies that
lose are visible.  Then, unless told not to, the module is imported, so an
exception raised by its body is reported as what it is.

The plain-words causes come from :mod:`.causes`.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import os
import sys
import traceback
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from ..finders.pathfinder import PathFinder as _OurPathFinder
from ..stores.sniff import is_store_url
from . import causes as _causes
from .syspath import entry_finder, environment_summary, explain_path, finder_label

__all__ = ["Cause", "Diagnosis", "Step", "diagnose", "is_path_finder", "spec_summary"]

# outcomes, from the import statement's point of view
IMPORTED = "imported"
ALREADY_IMPORTED = "already imported"
FOUND = "found"
NOT_FOUND = "not found"
FAILED = "failed while executing"
COMPILE_FAILED = "failed to compile (a syntax error)"
PARENT_FAILED = "parent failed"
NOT_A_PACKAGE = "parent is not a package"
FINDER_RAISED = "a finder raised"
NOT_A_NAME = "not a module name"
OK_OUTCOMES = (IMPORTED, ALREADY_IMPORTED, FOUND)

# verdicts of one finder or path entry
V_FOUND = "found"
V_NOT_HERE = "not here"
V_PORTION = "namespace portion"
V_SKIPPED = "skipped"
V_ALSO = "also here (not reached)"
V_NOT_ASKED = "not asked"
V_RAISED = "raised"

Cause = _causes.Cause


@dataclass
class Step:
    """One finder (entry None) or one path entry (finder = its path finder) asked."""

    finder: str
    verdict: str
    entry: str | None = None
    detail: str = ""
    origin: str | None = None
    kind: str | None = None


@dataclass
class Diagnosis:
    """Everything ``why`` found out about one name."""

    name: str
    outcome: str
    environment: dict[str, Any]
    steps: list[Step] = field(default_factory=list)
    spec: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    causes: list[Cause] = field(default_factory=list)
    parent: Diagnosis | None = None

    @property
    def ok(self) -> bool:
        return self.outcome in OK_OUTCOMES

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def is_path_finder(finder: Any) -> bool:
    """Our PathFinder or the stock one: the finders that walk sys.path."""
    return finder is _OurPathFinder or finder is importlib.machinery.PathFinder


def _meta_label(finder: Any) -> str:
    cls = finder if isinstance(finder, type) else type(finder)
    package = cls.__module__.split(".")[0].lstrip("_")
    if package in ("frozen_importlib_external", "frozen_importlib"):
        package = "importlib"
    return f"{cls.__qualname__} ({package})"


def spec_summary(spec: Any) -> dict[str, Any]:
    """The fields of a ModuleSpec worth showing, as plain data."""
    locations = spec.submodule_search_locations
    return {
        "name": spec.name,
        "origin": spec.origin,
        "loader": _meta_label(spec.loader) if spec.loader else None,
        "cached": _cached(spec),
        "has_location": bool(getattr(spec, "has_location", False)),
        "submodule_search_locations": list(locations) if locations is not None else None,
    }


def _cached(spec: Any) -> str | None:
    """The bytecode file the module's code comes from or goes to; None when there is none.

    A spec derives ``cached`` from ``origin`` whatever the loader: for a C
    extension, or for code a store keeps precompiled, that names a file that
    never exists (``app.sqlite/pkg/__pycache__/...``).
    """
    loader = spec.loader
    if getattr(loader, "store", None) is not None or isinstance(loader, type):
        return None  # a store's loader, or BuiltinImporter / FrozenImporter
    if (spec.origin or "").endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)):
        return None
    return getattr(spec, "cached", None)


def _ask_entry(finder: Any, fullname: str) -> Any:
    if hasattr(finder, "find_spec"):
        return finder.find_spec(fullname)
    return None  # finders without find_spec are skipped by the path finder on 3.12+


def _store_problem(url: str) -> str:
    """Why the store at *url* serves nothing (it could not be opened)."""
    from ..errors import StoreError
    from ..stores.opening import cached_store
    from ..stores.sniff import parse_store_url

    try:
        parsed = parse_store_url(url)
        store = cached_store(parsed.location)
    except StoreError as exc:
        return str(exc)
    if parsed.prefix and not store.is_dir(parsed.prefix):
        return f"store {parsed.location} has no folder {parsed.prefix.rstrip('/')!r}"
    return "no path hook accepts it (is importworks installed?)"


def _refusal(finder: Any) -> str | None:
    """Why a store entry that importworks claimed but would not open serves nothing (None: not refused)."""
    from ..stores.trust import RefusedStoreFinder

    if isinstance(finder, RefusedStoreFinder):
        return f"store refused: {finder.error}"
    return None


def _walk_entries(fullname: str, path: Sequence[Any], finder_name: str, searching: bool) -> tuple[list[Step], bool]:
    """Ask every path entry; return the steps and whether one had the module."""
    steps, won = [], False
    # kinds (stdlib, site-packages, cwd...) only mean something for sys.path itself
    kinds = {e.index: e.kind for e in explain_path(path)} if path is sys.path else {}
    for index, entry in enumerate(path):
        if not isinstance(entry, str):
            steps.append(Step(finder_name, V_SKIPPED, repr(entry), "not a string"))
            continue
        kind = kinds.get(index)
        finder, _ = entry_finder(entry)
        if finder is None:
            if is_store_url(entry):
                why = _store_problem(entry)
            else:
                why = "does not exist" if not os.path.exists(entry or ".") else "no path hook accepts it"
            steps.append(Step(finder_name, V_SKIPPED, entry, why, kind=kind))
            continue
        label = finder_label(finder)
        refusal = _refusal(finder)
        if refusal is not None:
            steps.append(Step(finder_name, V_SKIPPED, entry, refusal, kind=kind))
            continue
        try:
            spec = _ask_entry(finder, fullname)
        except Exception as exc:  # the real import would propagate it; show it instead
            steps.append(Step(finder_name, V_RAISED, entry, f"{label}: {type(exc).__name__}: {exc}", kind=kind))
            continue
        if spec is None:
            steps.append(Step(finder_name, V_NOT_HERE, entry, label, kind=kind))
        elif spec.loader is None:
            portions = list(spec.submodule_search_locations or [])
            steps.append(
                Step(
                    finder_name,
                    V_PORTION,
                    entry,
                    f"{label}: folder without __init__",
                    origin=portions[0] if portions else None,
                    kind=kind,
                )
            )
        else:
            verdict = V_FOUND if searching and not won else V_ALSO
            won = won or verdict == V_FOUND
            steps.append(Step(finder_name, verdict, entry, label, origin=spec.origin, kind=kind))
    return steps, won


def _walk(fullname: str, path: Sequence[Any] | None) -> tuple[list[Step], Any, BaseException | None]:
    """Ask sys.meta_path in order; return the steps, the winning spec, a finder's exception."""
    steps: list[Step] = []
    winner, raised = None, None
    for finder in list(sys.meta_path):
        label = _meta_label(finder)
        searching = winner is None and raised is None
        if is_path_finder(finder):
            entries = sys.path if path is None else list(path)
            entry_steps, _ = _walk_entries(fullname, entries, label, searching)
            steps.extend(entry_steps)
            if searching:
                try:
                    winner = finder.find_spec(fullname, path)  # the finder's own answer
                except Exception as exc:
                    raised = exc
            continue
        if not searching:
            steps.append(Step(label, V_NOT_ASKED, detail="an earlier finder decided"))
            continue
        if not hasattr(finder, "find_spec"):
            steps.append(Step(label, V_SKIPPED, detail="no find_spec()"))
            continue
        try:
            spec = finder.find_spec(fullname, path, None)
        except Exception as exc:
            raised = exc
            steps.append(Step(label, V_RAISED, detail=f"{type(exc).__name__}: {exc}"))
            continue
        if spec is None:
            steps.append(Step(label, V_NOT_HERE))
        else:
            winner = spec
            steps.append(Step(label, V_FOUND, origin=spec.origin))
    return steps, winner, raised


def _error_info(exc: BaseException, origin: str | None = None) -> dict[str, Any]:
    """The exception, and the line that raised it: in the module's own file if it is on the stack."""
    traceback_text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    if isinstance(exc, SyntaxError) and _fails_to_compile(exc, origin):
        # the error is in the file, not on the stack: the stack ends in the loader's compile()
        return {
            "type": type(exc).__name__,
            "message": str(exc),
            "name": None,
            "file": origin,
            "line": exc.lineno,
            "code": None,  # the traceback text already quotes the line, with a caret
            "traceback": traceback_text,
        }
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if origin and f.filename == origin]
    where = own[-1] if own else (frames[-1] if frames else None)
    return {
        "type": type(exc).__name__,
        "message": str(exc),
        "name": getattr(exc, "name", None),
        "file": where.filename if where else None,
        "line": where.lineno if where else None,
        "code": where.line if where else None,
        "traceback": traceback_text,
    }


def _fails_to_compile(exc: BaseException, origin: str | None) -> bool:
    """A syntax error in the module's own source (not in one it imports, nor in code it compiles)."""
    return isinstance(exc, SyntaxError) and origin is not None and exc.filename == origin


def _parent_path(name: str, execute: bool) -> tuple[Any, Diagnosis | None, str | None]:
    """The parent's __path__, or the failed parent's diagnosis, or the non-package parent."""
    parent = name.rpartition(".")[0]
    module = sys.modules.get(parent)
    if module is None:
        parent_diagnosis = diagnose(parent, execute=True)
        if not parent_diagnosis.ok or parent not in sys.modules:
            return None, parent_diagnosis, None
        module = sys.modules[parent]
    path = getattr(module, "__path__", None)
    if path is None:
        return None, None, parent
    return path, None, None


def diagnose(name: str, *, execute: bool = True, look_elsewhere: bool = True) -> Diagnosis:
    """Resolve *name* step by step and explain the outcome.

    With *execute* (the default) the module is imported when found, as the
    ``import`` statement would, so an exception from its body is reported.
    With *look_elsewhere*, a failure is also checked against the other Python
    environments on this machine (see :mod:`.envs`).
    """
    diagnosis = Diagnosis(name, NOT_FOUND, environment_summary())
    invalid = _causes.invalid_name(name, look_elsewhere=look_elsewhere)
    if invalid:
        diagnosis.outcome, diagnosis.causes = NOT_A_NAME, invalid
        return diagnosis
    _diagnose(diagnosis, name, execute, look_elsewhere)
    if "." in name and not diagnosis.ok:
        diagnosis.causes[:0] = _shadowed_top(name)
    return diagnosis


def _shadowed_top(name: str) -> list[Cause]:
    """A local file or folder standing in for the top-level package that *name* lives in."""
    top = name.partition(".")[0]
    steps, _, _ = _walk(top, None)
    return [_causes.on_failing_path(name, cause) for cause in _causes.shadowing(top, steps, sys.modules.get(top))]


def _diagnose(diagnosis: Diagnosis, name: str, execute: bool, look_elsewhere: bool) -> None:
    path = None
    cached = sys.modules.get(name)
    if cached is not None and "." in name and not hasattr(sys.modules.get(name.rpartition(".")[0]), "__path__"):
        # os.path: put in sys.modules by its parent; import never asks a finder for it
        diagnosis.outcome = ALREADY_IMPORTED
        spec = getattr(cached, "__spec__", None)
        diagnosis.spec = spec_summary(spec) if spec is not None else None
        diagnosis.causes = [_causes.in_sys_modules(name, cached)]
        return
    if "." in name:
        path, failed_parent, not_package = _parent_path(name, execute)
        if failed_parent is not None:
            diagnosis.outcome, diagnosis.parent = PARENT_FAILED, failed_parent
            diagnosis.causes = [_causes.parent_failed(failed_parent.name, failed_parent.outcome, failed_parent.error)]
            return
        if not_package is not None:
            diagnosis.outcome = NOT_A_PACKAGE
            diagnosis.causes = [_causes.not_a_package(name, sys.modules[not_package])]
            return
    diagnosis.steps, spec, raised = _walk(name, path)
    if raised is not None:
        diagnosis.outcome, diagnosis.error = FINDER_RAISED, _error_info(raised)
        diagnosis.causes = [_causes.finder_raised(raised)]
        return
    if spec is None:
        diagnosis.causes = _causes.why_not_found(name, path, look_elsewhere=look_elsewhere)
        return
    diagnosis.spec = spec_summary(spec)
    diagnosis.outcome = _execute(diagnosis, name, spec, look_elsewhere) if execute else FOUND
    diagnosis.causes.extend(_causes.shadowing(name, diagnosis.steps, sys.modules.get(name)))


def _execute(diagnosis: Diagnosis, name: str, spec: Any, look_elsewhere: bool) -> str:
    if name in sys.modules:
        existing = getattr(sys.modules[name], "__spec__", None)
        diagnosis.causes.extend(_causes.stale_module(name, existing, spec))
        return ALREADY_IMPORTED
    try:
        importlib.import_module(name)
    except Exception as exc:
        diagnosis.error = _error_info(exc, spec.origin)
        diagnosis.causes.append(_causes.exec_failed(name, spec, exc, look_elsewhere=look_elsewhere))
        return COMPILE_FAILED if _fails_to_compile(exc, spec.origin) else FAILED
    return IMPORTED
