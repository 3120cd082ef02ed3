"""importworks' own modules import each other without a cycle.

The layers contract (``[tool.importlinter]`` in pyproject, checked by
``lint-imports``) says which way imports go between layers; this test says that
no module, in any layer, takes part in an import cycle, counting every import
grimp finds: at module level, inside functions, under ``TYPE_CHECKING``, and
imports of a subpackage's ``__init__``.  A cycle is what makes a module work only
when another happened to be imported first.
"""

from __future__ import annotations

from collections import deque

Graph = dict[str, set[str]]


def _import_graph() -> Graph:
    import grimp  # in the test extra (import-linter); imported here so that only this test needs it

    built = grimp.build_graph("importworks", cache_dir=None)
    return {module: set(built.find_modules_directly_imported_by(module)) for module in built.modules}


def _strongly_connected(graph: Graph) -> list[list[str]]:
    """Tarjan's algorithm, iterative: the groups of modules that reach each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1 or node in graph.get(node, ()):
                        groups.append(sorted(group))
    return groups


def _shortest_cycle(graph: Graph, group: list[str]) -> list[str]:
    """A shortest cycle through the group's first module, staying inside the group."""
    members = set(group)
    start = group[0]
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(graph[node] & members):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if child not in came_from:
                came_from[child] = node
                queue.append(child)
    return [start, start]


def test_no_import_cycle_among_importworks_modules() -> None:
    graph = _import_graph()
    assert "importworks.engine._importlib_bootstrap" in graph  # the graph is the package's
    cycles = [
        f"{len(group)} modules import each other ({', '.join(group)}), "
        f"for one: {' -> '.join(_shortest_cycle(graph, group))}"
        for group in _strongly_connected(graph)
    ]
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_the_cycle_finder_reports_each_cycle_with_its_path() -> None:
    # what the test above relies on: a loop a -> b -> c -> a and a self-import e -> e are found, d is not
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e"}}
    groups = _strongly_connected(graph)
    assert sorted(groups) == [["a", "b", "c"], ["e"]]
    assert _shortest_cycle(graph, ["a", "b", "c"]) == ["a", "b", "c", "a"]
    assert _shortest_cycle(graph, ["e"]) == ["e", "e"]


def test_grimp_sees_imports_inside_functions_and_type_checking_blocks(tmp_path, monkeypatch) -> None:
    import grimp

    package = tmp_path / "cyclic"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "low.py").write_text("def f():\n    from . import high\n")
    (package / "high.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import low\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    built = grimp.build_graph("cyclic", cache_dir=None)
    graph = {module: set(built.find_modules_directly_imported_by(module)) for module in built.modules}
    assert _strongly_connected(graph) == [["cyclic.high", "cyclic.low"]]
