"""Import trouble in a project and in this environment, found before it bites.

Checks (each can be skipped by name):

shadowing
    a project module named like a standard-library or installed module;
star-imports
    ``from x import *`` whose names collide with another star import, with the
    importing module's own names, or with builtins;
cycles
    import cycles among the project's modules (static, from the AST), printed;
sys-path
    ``sys.path`` entries that do not exist or appear twice;
pth
    ``.pth`` files that execute code, or add folders that do not exist.
"""

from __future__ import annotations

import builtins
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from ..finders.pathfinder import PathFinder
from .cycles import failure, find_cycles, import_graph, simulate
from .project import ModuleInfo, Project, scan_project
from .stars import StarResolver, differ
from .syspath import READS_START_FILES, explain_path, pth_lines, site_dirs

__all__ = [
    "CHECKS",
    "ERROR",
    "NOTE",
    "SEVERITIES",
    "WARNING",
    "Finding",
    "examine",
    "find_cycles",
    "format_findings",
    "serious",
    "star_exports",
]

CHECKS = ("shadowing", "star-imports", "cycles", "sys-path", "pth")

ERROR = "error"  # breaks an import now: a shadow that wins, a cycle that fails whichever way it starts
WARNING = "warning"  # breaks it in some runs, or silently changes what a name means
NOTE = "note"  # worth knowing, harmless as things stand
SEVERITIES = (ERROR, WARNING, NOTE)  # the order findings are listed in

# "test" is the stdlib's own regression-test package: every other project has a
# tests folder named like it, and shadowing it harms nobody.
_HARMLESS_NAMES = {"__main__", "test", "setup", "conftest"}


@dataclass
class Finding:
    """One problem: which check found it, how bad it is, what it is, where."""

    check: str
    message: str
    file: str | None = None
    line: int | None = None
    severity: str = WARNING

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _inside(path: str | None, folder: str) -> bool:
    if not path:
        return False
    real, base = os.path.realpath(path), os.path.realpath(folder)
    return real == base or real.startswith(base + os.sep)


def _path_index(folder: str) -> int | None:
    """The first sys.path position of *folder* ('' is the working directory)."""
    real = os.path.realpath(folder)
    for index, entry in enumerate(sys.path):
        if isinstance(entry, str) and os.path.realpath(entry or os.getcwd()) == real:
            return index
    return None


def _entry_of(spec: Any) -> int | None:
    """The sys.path position a found module comes from."""
    if not spec.origin or not os.path.isabs(spec.origin):
        return None
    folder = os.path.dirname(spec.origin)
    return _path_index(os.path.dirname(folder) if spec.submodule_search_locations else folder)


def _other_copy(name: str, project: Project) -> tuple[str, Any] | None:
    """(what, spec) of the module *name* names outside the project; spec None for a built-in."""
    if name in sys.builtin_module_names:
        return "the built-in module", None
    outside = [e for e in sys.path if isinstance(e, str) and not _inside(e or os.getcwd(), project.root)]
    try:
        spec = PathFinder.find_spec(name, outside)
    except (ImportError, ValueError):
        spec = None
    stdlib = name in getattr(sys, "stdlib_module_names", frozenset())
    if spec is None or spec.loader is None or not spec.origin or _inside(spec.origin, project.root):
        return ("the standard library module", None) if stdlib else None
    return ("the standard library module" if stdlib else "the installed module"), spec


def _shadow_finding(name: str, path: str, project: Project) -> Finding | None:
    is_folder = os.path.isdir(path)
    if is_folder and not any(os.path.isfile(os.path.join(path, f"__init__{s}")) for s in (".py", ".pyc")):
        return None  # a namespace folder: any module or regular package of that name wins over it
    other = _other_copy(name, project)
    if other is None:
        return None
    what, spec = other
    shown = f"{what} {name!r}" if spec is None or what.startswith("the standard") else f"{what} {spec.origin}"
    if spec is None and what == "the built-in module":
        return Finding("shadowing", f"{name!r} is never imported from here: {shown} always wins", path, severity=NOTE)
    mine = min((i for i in map(_path_index, project.import_roots) if i is not None), default=None)
    theirs = _entry_of(spec) if spec is not None else None
    if mine is None:
        return Finding(
            "shadowing", f"{name!r} shadows {shown} wherever this folder comes first on sys.path", path, severity=ERROR
        )
    if theirs is None or mine < theirs:
        return Finding("shadowing", f"{name!r} shadows {shown}: sys.path[{mine}] comes first", path, severity=ERROR)
    return Finding(
        "shadowing",
        f"{name!r} is never imported from here: {shown} comes first on sys.path "
        f"(sys.path[{theirs}], before sys.path[{mine}])",
        path,
        severity=NOTE,
    )


def _check_shadowing(project: Project) -> list[Finding]:
    findings = []
    for name, path in sorted(project.top_level().items()):
        if name not in _HARMLESS_NAMES:
            finding = _shadow_finding(name, path, project)
            findings += [finding] if finding else []
    return findings


def star_exports(project: Project, name: str) -> set[str] | None:
    """The names ``from name import *`` binds (None: unknown)."""
    exported = StarResolver(project).exports(name)
    return None if exported is None else set(exported)


def _check_module_stars(resolver: StarResolver, info: ModuleInfo) -> list[Finding]:
    """Names a star import brings that another import or a builtin also gives, and that are used.

    The module's own definitions are deliberate overrides, not collisions; a
    star import in an ``except`` block replaces the one its ``try`` attempted.
    """
    if info.used is None:
        return []  # no star import (the scan records used names only where there is one)
    stars = [b for b in info.bindings if b.star_from and not b.fallback]
    if not stars:
        return []
    used = info.used or frozenset()
    findings = []
    imported = [
        b for b in info.bindings if not b.star_from and b.source and not b.fallback and not b.source.startswith("= ")
    ]
    exported: dict[str | None, dict[str, str]] = {b.star_from: resolver.exports(b.star_from or "") or {} for b in stars}
    for i, star in enumerate(stars):
        names = {n: s for n, s in exported[star.star_from].items() if n in used}
        for other in stars[:i]:
            theirs = exported[other.star_from]
            for clash in sorted(n for n in names if n in theirs and differ(theirs[n], names[n])):
                findings.append(
                    Finding(
                        "star-imports",
                        f"'{clash}' comes from both 'from {other.star_from} "
                        f"import *' (line {other.line}) and 'from {star.star_from} import *' "
                        f"(line {star.line}); the later one wins",
                        info.path,
                        star.line,
                    )
                )
        for binding in imported:
            if binding.name not in names or not differ(resolver.source(binding, info.name), names[binding.name]):
                continue
            if binding.line < star.line:
                text = (
                    f"'from {star.star_from} import *' (line {star.line}) overwrites "
                    f"'{binding.name}' imported at line {binding.line}"
                )
            else:
                text = (
                    f"'{binding.name}' imported at line {binding.line} overwrites the one from "
                    f"'from {star.star_from} import *' (line {star.line})"
                )
            findings.append(Finding("star-imports", text, info.path, binding.line))
        for clash in sorted(
            n for n in names if hasattr(builtins, n) and not n.startswith("_") and names[n] != f"builtins.{n}"
        ):
            findings.append(
                Finding(
                    "star-imports",
                    f"'from {star.star_from} import *' (line {star.line}) replaces the builtin '{clash}'",
                    info.path,
                    star.line,
                )
            )
    return findings


def _cycle_text(project: Project, cycle: list[tuple[str, int]]) -> str:
    names = [m for m, _ in cycle] + [cycle[0][0]]
    steps = "; ".join(f"{_rel(project, m)}:{line} imports {names[i + 1]}" for i, (m, line) in enumerate(cycle))
    return f"import cycle {' -> '.join(names)} ({steps})"


def _rel(project: Project, module: str) -> str:
    return os.path.relpath(project.modules[module].path, project.root)


def _import_failures(project: Project) -> tuple[list[Finding], set[str], set[str]]:
    """Import each top-level package on paper: (errors, modules in failing cycles, modules reached)."""
    findings: list[Finding] = []
    failing: set[str] = set()
    reached: set[str] = set()
    for top in sorted({m.partition(".")[0] for m in project.modules} & set(project.modules)):
        broken, seen = simulate(project, top)
        reached |= seen
        if broken is None or {m for m, _ in broken.chain} <= failing:
            continue  # no failure, or the same ring entered from another of its modules
        module, started_at = broken.chain[0]
        importer, line = broken.chain[-1]
        taken = ", ".join(repr(n) for n in broken.names)
        cycle = [(m, at) for m, at in broken.chain]
        text = (
            f"{_cycle_text(project, cycle)}: importing {top} fails: {_rel(project, importer)}:{line} takes "
            f"{taken} from {module} while it is partially initialised (it has only run up to line {started_at})"
        )
        findings.append(Finding("cycles", text, project.modules[module].path, started_at, ERROR))
        failing |= {m for m, _ in broken.chain}
    return findings, failing, reached


def _check_cycles(project: Project) -> list[Finding]:
    findings, failing, reached = _import_failures(project)
    graph = import_graph(project)
    for cycle in find_cycles(project):
        members = {m for m, _ in cycle}
        if members & failing:
            continue  # reported above, as the chain that fails
        text = _cycle_text(project, cycle)
        broken = None if members <= reached else failure(project, cycle, graph)
        if broken is None:
            text += ": it works as written (no module asks a partially initialised one for a name it lacks)"
            severity = NOTE
        else:
            taken = ", ".join(repr(n) for n in broken.names)
            when = "always" if broken.always else f"when {broken.entry} is imported first"
            text += (
                f": fails {when}: {_rel(project, broken.importer)}:{broken.line} takes {taken} from "
                f"{broken.module} while it is partially initialised (it has only run up to line "
                f"{broken.started_at})"
            )
            severity = ERROR if broken.always else WARNING
        first = project.modules[cycle[0][0]]
        findings.append(Finding("cycles", text, first.path, cycle[0][1], severity))
    return findings


def _check_sys_path() -> list[Finding]:
    findings: list[Finding] = []
    seen: dict[str, int] = {}
    for entry in explain_path():
        if entry.kind == "stdlib-zip":
            continue  # always listed, normally absent: not a problem
        if entry.kind == "invalid":
            findings.append(
                Finding("sys-path", f"sys.path[{entry.index}] is {entry.entry}, not a string", severity=WARNING)
            )
            continue
        if not entry.exists:
            why = "; ".join(entry.reasons)
            findings.append(
                Finding("sys-path", f"sys.path[{entry.index}] {entry.entry} does not exist ({why})", severity=NOTE)
            )
        key = os.path.realpath(entry.entry or os.getcwd())
        if key in seen:
            findings.append(
                Finding(
                    "sys-path",
                    f"sys.path[{entry.index}] {entry.entry or repr('')} repeats "
                    f"sys.path[{seen[key]}]: the second one is never searched first",
                    severity=NOTE,
                )
            )
        else:
            seen[key] = entry.index
    return findings


def _check_pth(dirs: Iterable[str] | None = None) -> list[Finding]:
    findings = []
    for line in pth_lines(list(dirs) if dirs is not None else site_dirs()):
        if line.entry_point or line.replaced:
            findings.append(_start_finding(line))
        elif line.executes:
            text = line.text if len(line.text) <= 80 else line.text[:77] + "..."
            findings.append(
                Finding("pth", f"runs code at every interpreter start: {text}", line.file, line.lineno, NOTE)
            )
        elif line.folder and not os.path.exists(line.folder):
            findings.append(
                Finding("pth", f"adds {line.folder}, which does not exist", line.file, line.lineno, WARNING)
            )
    return findings


ENTRY_POINT = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")  # PEP 829's pkg.mod:callable


def _start_finding(line: Any) -> Finding:
    """A .start entry point, or a .pth import line that a .start file switched off (PEP 829)."""
    if line.replaced:
        start = line.file[: -len(".pth")] + ".start"
        return Finding(
            "pth", f"import line not run: {os.path.basename(start)} replaces it (PEP 829)", line.file, line.lineno, NOTE
        )
    if not READS_START_FILES:
        version = ".".join(map(str, sys.version_info[:2]))
        return Finding(
            "pth",
            f"entry point {line.text} is not run: Python {version} does not read .start "
            "files (3.15 and later do, PEP 829)",
            line.file,
            line.lineno,
            NOTE,
        )
    if not ENTRY_POINT.match(line.text):
        return Finding(
            "pth",
            f"{line.text!r} is not a pkg.mod:callable entry point: python skips it",
            line.file,
            line.lineno,
            WARNING,
        )
    return Finding("pth", f"runs {line.text} at every interpreter start (.start file)", line.file, line.lineno, NOTE)


def _ranked(findings: list[Finding]) -> list[Finding]:
    """Errors first, then warnings, then notes; each group in the checks' order, then by place."""
    return sorted(
        findings, key=lambda f: (SEVERITIES.index(f.severity), CHECKS.index(f.check), f.file or "", f.line or 0)
    )


def examine(root: str, skip: Iterable[str] = (), *, workers: int | None = None) -> list[Finding]:
    """Run every check not in *skip* on the project at *root* and this interpreter, most serious first."""
    skip = set(skip)
    project = scan_project(root, workers=workers)
    findings: list[Finding] = []
    if "shadowing" not in skip:
        findings += _check_shadowing(project)
    if "star-imports" not in skip:
        resolver = StarResolver(project)
        for info in project.modules.values():
            findings += _check_module_stars(resolver, info)
    if "cycles" not in skip:
        findings += _check_cycles(project)
    if "sys-path" not in skip:
        findings += _check_sys_path()
    if "pth" not in skip:
        findings += _check_pth()
    return _ranked(findings)


def serious(findings: list[Finding]) -> bool:
    """Whether any finding is an error or a warning (what makes ``doctor`` exit 1)."""
    return any(f.severity != NOTE for f in findings)


def format_findings(findings: list[Finding], root: str) -> str:
    """One line per finding (severity, check, place, what), then the counts."""
    if not findings:
        return f"doctor {root}: nothing found"
    lines = []
    for finding in findings:
        where = ""
        if finding.file:
            shown = os.path.relpath(finding.file, root) if _inside(finding.file, root) else finding.file
            where = f"{shown}:{finding.line}: " if finding.line else f"{shown}: "
        lines.append(f"{finding.severity:<8} {finding.check:<13} {where}{finding.message}")
    counts = [(sum(f.severity == s for f in findings), s) for s in SEVERITIES]
    lines.append(f"doctor {root}: " + ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for n, s in counts if n))
    return "\n".join(lines)
