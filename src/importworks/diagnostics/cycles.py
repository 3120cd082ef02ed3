"""Import cycles among a project's modules, and whether each one fails at import time.

Most cycles work: ``import b`` in ``a`` while ``b`` does ``import a`` only binds
a module object.  One fails when a module, re-entered while it is partially
initialised, is asked for a name it has not bound yet (``from a import X`` with
``X`` defined after the line where ``a`` started importing the cycle).
Whether that happens depends on which module of the cycle is imported first:
a package always runs before its submodules, so a cycle through a package and
its own submodules starts there; any other cycle can start at any member.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from .project import ImportEdge, Project

__all__ = ["Cycle", "CycleFailure", "ImportFailure", "failure", "find_cycles", "import_graph", "simulate"]

Cycle = list[tuple[str, int]]  # [(module, line of its import of the next one), ...]; the last imports the first


@dataclass
class CycleFailure:
    """Entering the cycle at ``entry`` fails: ``importer`` asks ``module`` for ``names`` at ``line``."""

    entry: str
    importer: str
    module: str
    names: list[str]
    line: int
    started_at: int  # the line of ``module`` that was running (importing the cycle)
    always: bool  # the cycle can only be entered there (a package and its submodules)


def import_graph(project: Project) -> dict[str, dict[str, ImportEdge]]:
    graph: dict[str, dict[str, ImportEdge]] = {name: {} for name in project.modules}
    for info in project.modules.values():
        for edge in info.imports:
            if edge.target in graph and edge.target != info.name:
                graph[info.name].setdefault(edge.target, edge)
    return graph


def find_cycles(project: Project) -> list[Cycle]:
    """One cycle per strongly connected group of modules."""
    graph = import_graph(project)
    lines = {m: {t: e.line for t, e in targets.items()} for m, targets in graph.items()}
    cycles = [_cycle_in(lines, group) for group in _strongly_connected(lines) if len(group) > 1]
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


def _cycle_in(graph: dict[str, dict[str, int]], group: set[str]) -> Cycle:
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


def _entries(cycle: Cycle) -> tuple[list[int], bool]:
    """Positions in *cycle* where an import can enter it, and whether that is forced."""
    names = [m for m, _ in cycle]
    packages = [i for i, m in enumerate(names) if any(o != m and o.startswith(m + ".") for o in names)]
    if packages:
        return [min(packages, key=lambda i: names[i].count("."))], True
    return list(range(len(cycle))), False


def _missing(project: Project, module: str, edge: ImportEdge, started_at: int) -> list[str]:
    """Names *edge* takes from *module* that *module* has not bound when it reached *started_at*."""
    info = project.modules[module]
    if not edge.names or info.has_getattr:
        return []
    bound = info.bound_before(started_at)
    if "*" in bound:
        return []  # a star import could have bound anything: do not guess
    return [n for n in edge.names if n not in bound]


def failure(
    project: Project, cycle: Cycle, graph: dict[str, dict[str, ImportEdge]] | None = None
) -> CycleFailure | None:
    """How the cycle fails at import time, if it can (the forced entry, else the first that fails)."""
    graph = graph if graph is not None else import_graph(project)
    entries, forced = _entries(cycle)
    for start in entries:
        # entered at cycle[start]: each member runs up to its import of the next; the one
        # before cycle[start] in the ring then imports from it while it is partial
        module, started_at = cycle[start]
        importer = cycle[start - 1][0]
        edge = graph[importer][module]
        missing = _missing(project, module, edge, started_at)
        if missing:
            return CycleFailure(module, importer, module, missing, edge.line, started_at, forced)
    return None


@dataclass
class ImportFailure:
    """Importing ``start`` fails: the chain of modules running, and the name the last one cannot get."""

    start: str
    chain: list[tuple[str, int]]  # (module, line it is at), from the partial module to the importer
    names: list[str]
    reached: set[str]


class _Failed(Exception):
    pass


def simulate(project: Project, start: str) -> tuple[ImportFailure | None, set[str]]:
    """Import *start* on paper, as the interpreter would: (the failure if one occurs, modules reached).

    Each module runs its import-time imports in order, parents before
    children; a module met again while it is still running is partial, and
    asking it for a name it has not bound by then is the failure.
    """
    progress: dict[str, int] = {}
    done: set[str] = set()
    stack: list[str] = []

    def enter(name: str) -> None:
        parts = name.split(".")
        for i in range(1, len(parts) + 1):
            module = ".".join(parts[:i])
            if module in project.modules and module not in progress:
                run(module)

    def run(name: str) -> None:
        progress[name] = 0
        stack.append(name)
        for edge in project.modules[name].imports:
            progress[name] = edge.line
            enter(edge.target)
            target = edge.target
            if target in project.modules and target not in done and target != name:
                missing = _missing(project, target, edge, progress[target])
                if missing:
                    chain = [(m, progress[m]) for m in stack[stack.index(target) :]]
                    raise _Failed(ImportFailure(start, chain, missing, set(progress)))
        stack.pop()
        done.add(name)

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20000))  # one frame per module of an import chain
    try:
        enter(start)
    except _Failed as failed:
        return failed.args[0], set(progress)
    finally:
        sys.setrecursionlimit(limit)
    return None, set(progress)
