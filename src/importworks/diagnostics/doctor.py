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
import importlib
import os
import sys
from dataclasses import asdict, dataclass
from typing import Any, Iterable

from ..pathfinder import PathFinder
from .project import ModuleInfo, Project, scan_project
from .syspath import explain_path, pth_lines, site_dirs

__all__ = ["CHECKS", "Finding", "examine", "find_cycles", "format_findings", "star_exports"]

CHECKS = ("shadowing", "star-imports", "cycles", "sys-path", "pth")

# "test" is the stdlib's own regression-test package: every other project has a
# tests folder named like it, and shadowing it harms nobody.
_HARMLESS_NAMES = {"__main__", "test", "setup", "conftest"}


@dataclass
class Finding:
    """One problem: which check found it, what it is, where."""

    check: str
    message: str
    file: str | None = None
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _inside(path: str | None, folder: str) -> bool:
    if not path:
        return False
    real, base = os.path.realpath(path), os.path.realpath(folder)
    return real == base or real.startswith(base + os.sep)


def _check_shadowing(project: Project) -> list[Finding]:
    outside = [e for e in sys.path if isinstance(e, str) and not _inside(e or os.getcwd(), project.root)]
    stdlib = getattr(sys, "stdlib_module_names", frozenset())
    findings = []
    for name, path in sorted(project.top_level().items()):
        if name in _HARMLESS_NAMES:
            continue
        if name in stdlib or name in sys.builtin_module_names:
            findings.append(Finding("shadowing", f"{name!r} shadows the standard library module {name!r} "
                                    "wherever this folder comes first on sys.path", path))
            continue
        try:
            spec = PathFinder.find_spec(name, outside)
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.origin and not _inside(spec.origin, project.root):
            findings.append(Finding("shadowing", f"{name!r} shadows the installed module {spec.origin}", path))
    return findings


def _external_exports(name: str) -> set[str] | None:
    """Names ``from name import *`` gives, for a stdlib or installed module (imported)."""
    try:
        module = importlib.import_module(name)
    except Exception:  # a broken third-party module: nothing we can say statically
        return None
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    return set(names)


def star_exports(project: Project, name: str, seen: frozenset[str] = frozenset()) -> set[str] | None:
    """The names ``from name import *`` binds (None: unknown)."""
    info = project.modules.get(name)
    if info is None:
        return _external_exports(name)
    if info.all_names is not None:
        return set(info.all_names)
    names = {b.name for b in info.bindings if b.name != "*" and not b.name.startswith("_")}
    for binding in info.bindings:
        if binding.star_from and binding.star_from not in seen:
            names |= star_exports(project, binding.star_from, seen | {name}) or set()
    return names


def _check_module_stars(project: Project, info: ModuleInfo) -> list[Finding]:
    stars = [b for b in info.bindings if b.star_from]
    if not stars:
        return []
    findings = []
    own = [b for b in info.bindings if not b.star_from]
    exported = {b.star_from: star_exports(project, b.star_from) or set() for b in stars}
    for i, star in enumerate(stars):
        names = exported[star.star_from]
        for other in stars[:i]:
            for clash in sorted(names & exported[other.star_from]):
                findings.append(Finding("star-imports", f"'{clash}' comes from both 'from {other.star_from} "
                                        f"import *' (line {other.line}) and 'from {star.star_from} import *' "
                                        f"(line {star.line}); the later one wins", info.path, star.line))
        for binding in own:
            if binding.name in names:
                if binding.line < star.line:
                    text = (f"'from {star.star_from} import *' (line {star.line}) overwrites "
                            f"'{binding.name}' defined at line {binding.line}")
                else:
                    text = (f"'{binding.name}' defined at line {binding.line} overwrites the one from "
                            f"'from {star.star_from} import *' (line {star.line})")
                findings.append(Finding("star-imports", text,
                                        info.path, binding.line))
        for clash in sorted(n for n in names if hasattr(builtins, n) and not n.startswith("_")):
            findings.append(Finding("star-imports", f"'from {star.star_from} import *' (line {star.line}) "
                                    f"replaces the builtin '{clash}'", info.path, star.line))
    return findings


def find_cycles(project: Project) -> list[list[tuple[str, int]]]:
    """One cycle per strongly connected group of modules: [(module, line of its import), ...]."""
    graph: dict[str, dict[str, int]] = {name: {} for name in project.modules}
    for info in project.modules.values():
        for edge in info.imports:
            if edge.target in graph and edge.target != info.name:
                graph[info.name].setdefault(edge.target, edge.line)
    cycles = []
    for group in _strongly_connected(graph):
        if len(group) > 1:
            cycles.append(_cycle_in(graph, group))
    return sorted(cycles)


def _strongly_connected(graph: dict[str, dict[str, int]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative (deep import chains must not hit the recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                groups.append(group)
    return groups


def _cycle_in(graph: dict[str, dict[str, int]], group: set[str]) -> list[tuple[str, int]]:
    """A shortest path from the group's first module back to itself (breadth first)."""
    start = min(group)
    previous: dict[str, str] = {}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for child in sorted(graph[node]):
            if child not in group:
                continue
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                path.reverse()
                return [(m, graph[m][path[i + 1] if i + 1 < len(path) else start]) for i, m in enumerate(path)]
            if child not in previous:
                previous[child] = node
                queue.append(child)
    return []


def _check_cycles(project: Project) -> list[Finding]:
    findings = []
    for cycle in find_cycles(project):
        names = [m for m, _ in cycle] + [cycle[0][0]]
        steps = "; ".join(f"{os.path.relpath(project.modules[m].path, project.root)}:{line} imports "
                          f"{names[i + 1]}" for i, (m, line) in enumerate(cycle))
        first = project.modules[cycle[0][0]]
        findings.append(Finding("cycles", f"import cycle {' -> '.join(names)} ({steps})", first.path, cycle[0][1]))
    return findings


def _check_sys_path() -> list[Finding]:
    findings, seen = [], {}
    for entry in explain_path():
        if entry.kind == "stdlib-zip":
            continue  # always listed, normally absent: not a problem
        if entry.kind == "invalid":
            findings.append(Finding("sys-path", f"sys.path[{entry.index}] is {entry.entry}, not a string"))
            continue
        if not entry.exists:
            why = "; ".join(entry.reasons)
            findings.append(Finding("sys-path", f"sys.path[{entry.index}] {entry.entry} does not exist ({why})"))
        key = os.path.realpath(entry.entry or os.getcwd())
        if key in seen:
            findings.append(Finding("sys-path", f"sys.path[{entry.index}] {entry.entry or repr('')} repeats "
                                    f"sys.path[{seen[key]}]: the second one is never searched first"))
        else:
            seen[key] = entry.index
    return findings


def _check_pth(dirs: Iterable[str] | None = None) -> list[Finding]:
    findings = []
    for line in pth_lines(list(dirs) if dirs is not None else site_dirs()):
        if line.executes:
            text = line.text if len(line.text) <= 80 else line.text[:77] + "..."
            findings.append(Finding("pth", f"runs code at every interpreter start: {text}", line.file, line.lineno))
        elif line.folder and not os.path.exists(line.folder):
            findings.append(Finding("pth", f"adds {line.folder}, which does not exist", line.file, line.lineno))
    return findings


def examine(root: str, skip: Iterable[str] = ()) -> list[Finding]:
    """Run every check not in *skip* on the project at *root* and this interpreter."""
    skip = set(skip)
    project = scan_project(root)
    findings: list[Finding] = []
    if "shadowing" not in skip:
        findings += _check_shadowing(project)
    if "star-imports" not in skip:
        for info in project.modules.values():
            findings += _check_module_stars(project, info)
    if "cycles" not in skip:
        findings += _check_cycles(project)
    if "sys-path" not in skip:
        findings += _check_sys_path()
    if "pth" not in skip:
        findings += _check_pth()
    return findings


def format_findings(findings: list[Finding], root: str) -> str:
    """One line per finding, grouped by check, then a count."""
    if not findings:
        return f"doctor {root}: nothing found"
    lines = []
    for finding in findings:
        where = ""
        if finding.file:
            shown = os.path.relpath(finding.file, root) if _inside(finding.file, root) else finding.file
            where = f"{shown}:{finding.line}: " if finding.line else f"{shown}: "
        lines.append(f"{finding.check:<13} {where}{finding.message}")
    count = len(findings)
    lines.append(f"doctor {root}: {count} finding{'s' if count != 1 else ''}")
    return "\n".join(lines)
