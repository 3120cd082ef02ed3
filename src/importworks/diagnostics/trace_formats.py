"""Render a traced import run: a tree for people, the ``-X importtime`` format for tools."""

from __future__ import annotations

import json
import os
from typing import Any

from .trace import ImportRecord, ImportTracer

__all__ = ["format_importtime", "format_tree", "source_kind", "to_json"]

_SOURCE_BY_LOADER = {
    "SourceFileLoader": "folder",
    "SourcelessFileLoader": "folder (pyc)",
    "ExtensionFileLoader": "extension",
    "BuiltinImporter": "built-in",
    "FrozenImporter": "frozen",
    "NamespaceLoader": "namespace",
    "zipimporter": "zip",
}


def source_kind(record: ImportRecord) -> str:
    """Where a module came from, in one word: folder, zip, sqlite, built-in..."""
    if record.error:
        return "failed"
    return _SOURCE_BY_LOADER.get(record.loader or "", record.loader or "namespace")


def _ms(ns: int) -> str:
    return f"{ns / 1e6:8.2f}"


def format_tree(tracer: ImportTracer, *, top: int | None = None) -> str:
    """An indented tree, slowest first at each level, with per-phase times in ms.

    With *top*, only the *top* slowest top-level imports are shown (their
    subtrees in full) and a summary line counts the rest.
    """
    lines = [f"{'cumul ms':>8} {'self ms':>8} {'find':>8} {'load':>8} {'exec':>8}  module  [source] origin"]
    roots = sorted(tracer.roots, key=lambda r: r.cumulative_ns, reverse=True)
    shown = roots if top is None else roots[:top]

    def add(record: ImportRecord, depth: int) -> None:
        origin = record.error or record.origin or ""
        lines.append(
            f"{_ms(record.cumulative_ns)} {_ms(record.self_ns)} {_ms(record.find_ns)} "
            f"{_ms(record.load_ns)} {_ms(record.exec_ns)}  {'  ' * depth}{record.name}  "
            f"[{source_kind(record)}] {origin}"
        )
        for child in sorted(record.children, key=lambda r: r.cumulative_ns, reverse=True):
            add(child, depth + 1)

    for record in shown:
        add(record, 0)
    if tracer.early:
        lines.append("imported before tracing began (by importworks itself), used by the program:")
        for root in tracer.early:
            _early_lines(root, 0, lines)
    count = len(tracer.records())
    hidden = len(roots) - len(shown)
    summary = f"{count} modules imported in {tracer.total_ns() / 1e6:.2f} ms"
    if hidden:
        summary += f" ({hidden} more top-level imports not shown; use --top)"
    lines.append(summary)
    if tracer.early or tracer.startup:
        early, startup = tracer.early_count(), len(tracer.startup)
        lines.append(
            f"{count + early + startup} modules in all, as python -X importtime counts them: "
            f"also {startup} at interpreter start-up and {early} imported before tracing began"
        )
    return "\n".join(lines)


def _early_lines(record: Any, depth: int, lines: list[str]) -> None:
    by = f" (used by {record.importer})" if depth == 0 and record.importer else ""
    lines.append(
        f"{'-':>8} {'-':>8} {'-':>8} {'-':>8} {'-':>8}  {'  ' * depth}{record.name}  "
        f"[before tracing] {record.origin or ''}{by}"
    )
    for child in record.children:
        _early_lines(child, depth + 1, lines)


def format_importtime(tracer: ImportTracer, *, cached: bool = False) -> str:
    """The text CPython prints for ``-X importtime`` (microseconds, children first).

    Start-up imports come first, with the times a fresh interpreter measured;
    modules imported before tracing began follow, with 0 (their time was not
    measured), then the traced run.  With *cached*, as ``-X importtime=2``
    (3.14+): a ``cached`` line for each import statement that found its
    module already imported.  Cache hits are not engine events, so they are
    read from each traced module's import-time import statements (in order,
    the branches that run): a statement whose module was not imported there
    and then was a cache hit.
    """
    lines = ["import time: self [us] | cumulative | imported package"]
    lines += [_importtime_line(s.self_us, s.cumulative_us, s.depth, s.name) for s in tracer.startup]

    def add_early(record: Any, depth: int) -> None:
        for child in record.children:
            add_early(child, depth + 1)
        lines.append(_importtime_line(0, 0, depth, record.name))

    def add(record: ImportRecord, depth: int) -> None:
        targets = _import_statements(record.origin, record.name) if cached and record.error is None else []
        _interleave(list(record.children), targets, depth + 1, add, lines)
        lines.append(_importtime_line(record.self_ns // 1000, record.cumulative_ns // 1000, depth, record.name))

    for early in tracer.early:
        add_early(early, 0)
    main = getattr(tracer.main_module, "__file__", None) if cached else None
    _interleave(list(tracer.roots), _import_statements(main, "__main__") if main else [], 0, add, lines)
    return "\n".join(lines)


def _interleave(children: list[ImportRecord], targets: list[str], level: int, add: Any, lines: list[str]) -> None:
    """The children's lines, with a cached line where a statement's module was not imported then.

    Each statement takes the next children that are its module or inside it
    (``from . import a, b`` imports both); a statement that takes none hit sys.modules.
    """
    for target in targets:
        if not children or not _inside(children, target):
            lines.append(_cached_line(level, target))
            continue
        while children and not _is_in(children[0].name, target):
            add(children.pop(0), level)  # imported by code the statements do not show
        while children and _is_in(children[0].name, target):
            add(children.pop(0), level)
    for child in children:
        add(child, level)


def _is_in(name: str, target: str) -> bool:
    return name == target or name.startswith(target + ".")


def _inside(children: list[ImportRecord], target: str) -> bool:
    return any(_is_in(c.name, target) for c in children)


def _cached_line(level: int, name: str) -> str:
    """3.14's line for a module found in sys.modules: the name right-aligned in 2 columns per level."""
    return f"import time: {'cached':<9} | {'cached':<10} | {name:>{2 * level}}"


def _import_statements(origin: str | None, name: str) -> list[str]:
    """The absolute module names the import-time statements of module *name* (source *origin*) import."""
    origin = origin or ""
    if not origin.endswith(".py") or not os.path.isfile(origin):
        return []
    from .scan import summarize_file

    package = name if origin.endswith("__init__.py") else name.rpartition(".")[0]
    names = []
    for _, level, target, _names in summarize_file(origin)[0]:
        if level:
            bits = package.split(".") if package else []
            if level - 1 > len(bits) or not bits:
                continue
            base = ".".join(bits[: len(bits) - (level - 1)])
            target = f"{base}.{target}" if target else base
        if target:
            names.append(target)
    return names


def _importtime_line(self_us: int, cumulative_us: int, depth: int, name: str) -> str:
    return f"import time: {self_us:>9} | {cumulative_us:>10} | {'  ' * depth}{name}"


def to_json(tracer: ImportTracer) -> str:
    """Every record as JSON, nested like the import tree."""

    def encode(record: ImportRecord) -> dict[str, Any]:
        return {
            "name": record.name,
            "importer": record.importer,
            "thread": record.thread,
            "origin": record.origin,
            "source": source_kind(record),
            "error": record.error,
            "cumulative_ns": record.cumulative_ns,
            "self_ns": record.self_ns,
            "find_ns": record.find_ns,
            "load_ns": record.load_ns,
            "exec_ns": record.exec_ns,
            "children": [encode(child) for child in record.children],
        }

    def early(record: Any) -> dict[str, Any]:
        return {
            "name": record.name,
            "importer": record.importer,
            "origin": record.origin,
            "children": [early(child) for child in record.children],
        }

    return json.dumps(
        {
            "total_ns": tracer.total_ns(),
            "imports": [encode(r) for r in tracer.roots],
            "before_tracing": [early(r) for r in tracer.early],
            "startup": [
                {"name": s.name, "self_us": s.self_us, "cumulative_us": s.cumulative_us, "depth": s.depth}
                for s in tracer.startup
            ],
        },
        indent=1,
    )
